import { useState } from "react";
import { ActionIcon, Anchor, Button, Card, CopyButton, Group, Stack, Text, TextInput, Title, Tooltip } from "@mantine/core";
import { IconCheck, IconCopy, IconExternalLink } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { ConfirmButton } from "../../components/confirm-button";
import { FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { asProblem, describeProblem } from "../../lib/api/problem";
import { saveAuthorized } from "../../lib/download";
import { date, money } from "../../lib/format";
import { language } from "../../lib/i18n";
import type { Order } from "./overview-tab";
import { notify } from "../../lib/notify";

export function NumbersTab({ order }: { order: Order }) {
  const { t } = useTranslation();
  const lng = language();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const invoices = useQuery({
    queryKey: ["invoices", { order_id: order.id }],
    queryFn: () => call(api.GET("/api/v1/invoices", { params: { query: { order_id: order.id } } })),
  });

  const run = async (action: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await action();
      notify(done);
      await queryClient.invalidateQueries({ queryKey: ["orders", order.id] });
      await queryClient.invalidateQueries({ queryKey: ["invoices"] });
    } catch (e) {
      setError(describeProblem(asProblem(e)));
    }
  };

  return (
    <Stack>
      <Card withBorder>
        <Title order={2} size="h5" mb="xs">
          {t("numbers.portalLink")}
        </Title>
        <Text size="sm" c="dimmed" mb="xs">
          {t("numbers.portalLinkHelp")}
        </Text>
        <Group wrap="nowrap" gap="xs">
          <TextInput aria-label={t("numbers.portalLink")} value={order.portal_url} readOnly style={{ flex: 1 }} />
          <CopyButton value={order.portal_url}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? t("numbers.copied") : t("numbers.copy")}>
                <ActionIcon size="lg" variant="light" color={copied ? "teal" : undefined} onClick={copy} aria-label={t("numbers.copy")}>
                  {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
          <ActionIcon size="lg" variant="light" component="a" href={order.portal_url} target="_blank" rel="noopener noreferrer" aria-label={t("numbers.open")}>
            <IconExternalLink size={16} />
          </ActionIcon>
        </Group>
        <Group mt="sm">
          <ConfirmButton
            question={t("numbers.regenerateQuestion")}
            confirmLabel={t("numbers.regenerate")}
            onConfirm={() =>
              run(
                () => call(api.POST("/api/v1/orders/{id}/portal-link/regenerate", { params: { path: { id: order.id } } })),
                t("numbers.regenerated"),
              )
            }
          >
            {t("numbers.regenerate")}
          </ConfirmButton>
        </Group>
      </Card>
      <Card withBorder>
        <Title order={2} size="h5" mb="xs">
          {t("numbers.invoice")}
        </Title>
        <QueryState query={invoices}>
          {({ items }) =>
            items.length === 0 ? (
              <Group>
                <Text size="sm" c="dimmed">
                  {t("numbers.noInvoice")}
                </Text>
                <Button
                  size="xs"
                  onClick={() =>
                    void run(() => call(api.POST("/api/v1/orders/{id}/invoice", { params: { path: { id: order.id } } })), t("numbers.invoiceIssued"))
                  }
                >
                  {t("numbers.issueInvoice")}
                </Button>
              </Group>
            ) : (
              <Stack gap="xs">
                {items.map((invoice) => (
                  <Group key={invoice.id} justify="space-between">
                    <Text size="sm">
                      {invoice.kind === "cancellation" ? t("invoices.cancellation") : t("invoices.invoice")}{" "}
                      <strong>{invoice.number}</strong> · {date(invoice.issued_at, lng)} · {money(invoice.total_gross, invoice.currency, lng)}
                    </Text>
                    <Anchor
                      component="button"
                      type="button"
                      onClick={() => void saveAuthorized("/api/v1/invoices/{id}/pdf", invoice.id, `${invoice.number}.pdf`)}
                    >
                      PDF
                    </Anchor>
                  </Group>
                ))}
              </Stack>
            )
          }
        </QueryState>
      </Card>
      <FormError message={error} />
    </Stack>
  );
}
