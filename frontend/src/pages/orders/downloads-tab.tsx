import { useState } from "react";
import { Button, Card, Checkbox, Group, NumberInput, Stack, Table, Text } from "@mantine/core";
import { DateTimePicker } from "@mantine/dates";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Controller, useForm, useWatch } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { Empty, FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import type { components } from "../../lib/api/schema";
import { bytes, dateTime } from "../../lib/format";
import { showProblem } from "../../lib/forms";
import { language } from "../../lib/i18n";
import type { Order } from "./overview-tab";
import { notify } from "../../lib/notify";
import { Modal } from "../../components/modal";
import { limitsChange, limitsSchema, limitsValues, type LimitsValues } from "./limits";

type Grant = components["schemas"]["GrantView"];

/** The fields a refusal of the server may name (`grant_id` is no field a seller edits). */
const FIELDS = ["max_downloads", "expires_at", "reset_used"];

export function DownloadsTab({ order }: { order: Order }) {
  const { t } = useTranslation();
  const lng = language();
  const [editing, setEditing] = useState<{ grant: Grant | null; all: Grant[] } | null>(null);
  const grants = useQuery({
    queryKey: ["orders", order.id, "downloads"],
    queryFn: () => call(api.GET("/api/v1/orders/{id}/downloads", { params: { path: { id: order.id } } })),
  });
  return (
    <QueryState query={grants}>
      {({ items }) =>
        items.length === 0 ? (
          <Empty>{order.status === "open" ? t("downloads.notPaid") : t("downloads.none")}</Empty>
        ) : (
          <Card withBorder>
            <Table.ScrollContainer minWidth={640}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("downloads.file")}</Table.Th>
                    <Table.Th>{t("downloads.used")}</Table.Th>
                    <Table.Th>{t("downloads.until")}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((g) => (
                    <Table.Tr key={g.id}>
                      <Table.Td>
                        {g.file_name}
                        <Text size="xs" c="dimmed">
                          {bytes(g.size, lng)}
                        </Text>
                      </Table.Td>
                      <Table.Td data-testid={`used-${g.id}`}>
                        {g.used_downloads} / {g.max_downloads ?? "∞"}
                      </Table.Td>
                      <Table.Td>{g.expires_at ? dateTime(g.expires_at, lng) : t("downloads.noEnd")}</Table.Td>
                      <Table.Td>
                        <Button size="xs" variant="light" onClick={() => setEditing({ grant: g, all: items })} aria-label={t("downloads.editOne", { name: g.file_name })}>
                          {t("common.edit")}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Group mt="sm">
              <Button variant="default" onClick={() => setEditing({ grant: null, all: items })}>
                {t("downloads.editAll")}
              </Button>
            </Group>
            {editing && (
              <EditLimits order={order} grant={editing.grant} grants={editing.grant ? [editing.grant] : editing.all} onClose={() => setEditing(null)} />
            )}
          </Card>
        )
      }
    </QueryState>
  );
}

function EditLimits({ order, grants, grant, onClose }: { order: Order; grants: Grant[]; grant: Grant | null; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const { control, handleSubmit, setError, formState } = useForm<LimitsValues>({
    resolver: zodResolver(limitsSchema(t)),
    defaultValues: limitsValues(grants),
  });
  const [unlimited, noEnd] = useWatch({ control, name: ["unlimited", "no_end"] });
  const errors = formState.errors;

  const save = handleSubmit(async (values) => {
    setFormError(null);
    const change = limitsChange(values, grants, grant?.id);
    if (!change) {
      setFormError(t("downloads.nothingChanged"));
      return;
    }
    try {
      await call(api.PATCH("/api/v1/orders/{id}/downloads", { params: { path: { id: order.id } }, body: change }));
      notify(t("common.saved"));
      await queryClient.invalidateQueries({ queryKey: ["orders", order.id] });
      onClose();
    } catch (error) {
      setFormError(showProblem(error, setError, FIELDS));
    }
  });

  const check = (name: "unlimited" | "no_end" | "reset_used", label: string) => (
    <Controller
      control={control}
      name={name}
      render={({ field }) => <Checkbox label={label} checked={field.value} onChange={(e) => field.onChange(e.currentTarget.checked)} />}
    />
  );

  return (
    <Modal opened onClose={onClose} title={grant ? grant.file_name : t("downloads.editAll")}>
      <form onSubmit={save} noValidate>
        <Stack>
          {check("unlimited", t("downloads.unlimited"))}
          {!unlimited && (
            <Controller
              control={control}
              name="max_downloads"
              render={({ field }) => (
                <NumberInput
                  label={t("downloads.allowed")}
                  placeholder={t("downloads.varies")}
                  min={0}
                  max={100000}
                  allowDecimal={false}
                  value={field.value}
                  onChange={(v) => field.onChange(typeof v === "number" ? v : "")}
                  error={errors.max_downloads?.message}
                />
              )}
            />
          )}
          {check("no_end", t("downloads.noEnd"))}
          {!noEnd && (
            <Controller
              control={control}
              name="expires_at"
              render={({ field }) => (
                <DateTimePicker
                  label={t("downloads.until")}
                  placeholder={t("downloads.varies")}
                  value={field.value}
                  onChange={field.onChange}
                  valueFormat="YYYY-MM-DD HH:mm"
                  error={errors.expires_at?.message}
                />
              )}
            />
          )}
          {check("reset_used", t("downloads.resetUsed"))}
          <FormError message={formError} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={formState.isSubmitting}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
