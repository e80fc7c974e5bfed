import { useState } from "react";
import { Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { FormError } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { asProblem, describeProblem } from "../../lib/api/problem";
import type { components } from "../../lib/api/schema";
import { dateTime, money } from "../../lib/format";
import { language } from "../../lib/i18n";
import { ConfirmButton } from "../../components/confirm-button";
import { isFinalLock, nextStatuses, type OrderStatus } from "./status";
import { notify } from "../../lib/notify";

export type Order = components["schemas"]["OrderView"];

export function OverviewTab({ order }: { order: Order }) {
  const { t } = useTranslation();
  const lng = language();
  const queryClient = useQueryClient();
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const a = order.billing_address;
  const address = [a.company, a.name, a.street, [a.postal_code, a.city].filter(Boolean).join(" "), a.country, a.vat_id]
    .filter(Boolean)
    .join(", ");
  const options = nextStatuses(order.status);

  const change = async () => {
    if (!next) return;
    setBusy(true);
    setError(null);
    try {
      await call(api.POST("/api/v1/orders/{id}/status", { params: { path: { id: order.id } }, body: { status: next as OrderStatus } }));
      notify(t("orders.statusChanged", { status: t(`status.${next}`) }));
      setNext(null);
      await queryClient.invalidateQueries({ queryKey: ["orders"] });
    } catch (e) {
      setError(describeProblem(asProblem(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Card withBorder>
          <Title order={2} size="h5" mb="xs">
            {t("orders.customer")}
          </Title>
          <Text>{order.customer.name}</Text>
          <Text size="sm">{order.customer.email}</Text>
          <Text size="sm" c="dimmed">
            {t("orders.language")}: {order.customer.language.toUpperCase()}
          </Text>
          {address && (
            <Text size="sm" mt="xs">
              {address}
            </Text>
          )}
        </Card>
        <Card withBorder>
          <Title order={2} size="h5" mb="xs">
            {t("orders.facts")}
          </Title>
          <Text size="sm">
            {t("orders.created")}: {dateTime(order.created_at, lng)}
          </Text>
          <Text size="sm">
            {t("orders.paidAt")}: {dateTime(order.paid_at, lng)}
          </Text>
          <Text size="sm">
            {t("orders.channel")}: {order.channel}
            {order.external_ref ? ` (${order.external_ref})` : ""}
          </Text>
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Table.ScrollContainer minWidth={480}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("orders.article")}</Table.Th>
                <Table.Th>{t("orders.quantity")}</Table.Th>
                <Table.Th>{t("orders.unitPrice")}</Table.Th>
                <Table.Th>{t("orders.vat")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {order.items.map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>
                    {i.title} <Text span size="xs" c="dimmed">({i.sku})</Text>
                  </Table.Td>
                  <Table.Td>{i.quantity}</Table.Td>
                  <Table.Td>{money(i.unit_price, order.currency, lng)}</Table.Td>
                  <Table.Td>{Number(i.vat_rate)} %</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Group justify="flex-end" gap="xl" mt="sm">
          <Text size="sm">
            {t("orders.net")}: {money(order.totals.net, order.currency, lng)}
          </Text>
          <Text size="sm">
            {t("orders.vat")}: {money(order.totals.vat, order.currency, lng)}
          </Text>
          <Text fw={700}>
            {t("orders.total")}: {money(order.totals.gross, order.currency, lng)}
          </Text>
        </Group>
      </Card>
      <Card withBorder>
        <Title order={2} size="h5" mb="xs">
          {t("orders.changeStatus")}
        </Title>
        {options.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("orders.finalStatus")}
          </Text>
        ) : (
          <Group align="flex-end">
            <Select
              label={t("orders.newStatus")}
              data={options.map((s) => ({ value: s, label: t(`status.${s}`) }))}
              value={next}
              onChange={setNext}
              w={220}
            />
            {isFinalLock(next) ? (
              <ConfirmButton
                question={t("orders.lockQuestion", { status: t(`status.${next}`) })}
                confirmLabel={t("orders.applyStatus")}
                onConfirm={change}
              >
                {t("orders.applyStatus")}
              </ConfirmButton>
            ) : (
              <Button onClick={() => void change()} loading={busy} disabled={!next}>
                {t("orders.applyStatus")}
              </Button>
            )}
          </Group>
        )}
        <FormError message={error} />
      </Card>
    </Stack>
  );
}
