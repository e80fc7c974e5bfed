import { useState } from "react";
import { Button, Card, Checkbox, Group, NumberInput, Stack, Table, Text } from "@mantine/core";
import { DateTimePicker } from "@mantine/dates";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";

import { Empty, FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { asProblem, describeProblem } from "../../lib/api/problem";
import type { components } from "../../lib/api/schema";
import { bytes, dateTime } from "../../lib/format";
import { language } from "../../lib/i18n";
import type { Order } from "./overview-tab";
import { notify } from "../../lib/notify";
import { Modal } from "../../components/modal";

type Grant = components["schemas"]["GrantView"];
type Change = components["schemas"]["UpdateDownloadsRequest"];

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
            {editing && <EditLimits order={order} grant={editing.grant} sample={editing.grant ?? editing.all[0]!} onClose={() => setEditing(null)} />}
          </Card>
        )
      }
    </QueryState>
  );
}

function EditLimits({ order, grant, sample, onClose }: { order: Order; grant: Grant | null; sample: Grant; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [unlimited, setUnlimited] = useState(sample.max_downloads == null);
  const [max, setMax] = useState<number>(sample.max_downloads ?? 5);
  const [noEnd, setNoEnd] = useState(sample.expires_at == null);
  const [until, setUntil] = useState<string | null>(sample.expires_at ? dayjs(sample.expires_at).format("YYYY-MM-DD HH:mm:ss") : null);
  const [reset, setReset] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    const change: Change = {};
    if (grant) change.grant_id = grant.id;
    const newMax = unlimited ? null : max;
    if (!grant || newMax !== sample.max_downloads) change.max_downloads = newMax;
    const newUntil = noEnd || !until ? null : dayjs(until).toISOString();
    if (!grant || newUntil !== (sample.expires_at ? dayjs(sample.expires_at).toISOString() : null)) change.expires_at = newUntil;
    if (reset) change.reset_used = true;
    setBusy(true);
    setError(null);
    try {
      await call(api.PATCH("/api/v1/orders/{id}/downloads", { params: { path: { id: order.id } }, body: change }));
      notify(t("common.saved"));
      await queryClient.invalidateQueries({ queryKey: ["orders", order.id] });
      onClose();
    } catch (e) {
      setError(describeProblem(asProblem(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={grant ? grant.file_name : t("downloads.editAll")}>
      <Stack>
        <Checkbox label={t("downloads.unlimited")} checked={unlimited} onChange={(e) => setUnlimited(e.currentTarget.checked)} />
        {!unlimited && (
          <NumberInput label={t("downloads.allowed")} min={0} max={100000} allowDecimal={false} value={max} onChange={(v) => setMax(Number(v) || 0)} />
        )}
        <Checkbox label={t("downloads.noEnd")} checked={noEnd} onChange={(e) => setNoEnd(e.currentTarget.checked)} />
        {!noEnd && <DateTimePicker label={t("downloads.until")} value={until} onChange={setUntil} valueFormat="YYYY-MM-DD HH:mm" />}
        <Checkbox label={t("downloads.resetUsed")} checked={reset} onChange={(e) => setReset(e.currentTarget.checked)} />
        <FormError message={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("common.cancel")}
          </Button>
          <Button onClick={() => void save()} loading={busy}>
            {t("common.save")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
