import { useState } from "react";
import { Anchor, Badge, Button, Group, Select, SimpleGrid, Stack, Table, TextInput, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { useDebouncedValue } from "@mantine/hooks";
import { IconPlus, IconSearch } from "@tabler/icons-react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Empty, ErrorState, Loading } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { dateTime, money } from "../../lib/format";
import { language } from "../../lib/i18n";
import { STATUSES, statusColor, type OrderStatus } from "./status";

function dayStart(value: string | null, plusDays = 0): string | undefined {
  if (!value) return undefined;
  const d = new Date(`${value}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString();
}

export function OrderList() {
  const { t } = useTranslation();
  const lng = language();
  const [status, setStatus] = useState<string | null>(null);
  const [paid, setPaid] = useState<string | null>(null);
  const [channel, setChannel] = useState("");
  const [search, setSearch] = useState("");
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  const [q] = useDebouncedValue(search.trim(), 250);
  const [ch] = useDebouncedValue(channel.trim(), 250);
  const filters = {
    status: (status as OrderStatus | null) ?? undefined,
    paid: paid === null ? undefined : paid === "yes",
    channel: ch || undefined,
    q: q || undefined,
    from: dayStart(from),
    to: dayStart(to, 1),
  };
  const orders = useInfiniteQuery({
    queryKey: ["orders", filters],
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/orders", { params: { query: { ...filters, cursor: pageParam ?? undefined, limit: 50 } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
  const items = orders.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.values(filters).some((v) => v !== undefined);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t("orders.title")}</Title>
        <Button component={Link} to="/orders/new" leftSection={<IconPlus size={16} />}>
          {t("orders.new")}
        </Button>
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3, lg: 6 }}>
        <TextInput
          label={t("common.search")}
          placeholder={t("orders.searchHint")}
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
        <Select
          label={t("orders.status")}
          clearable
          value={status}
          onChange={setStatus}
          data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        />
        <Select
          label={t("orders.paid")}
          clearable
          value={paid}
          onChange={setPaid}
          data={[
            { value: "yes", label: t("orders.paidOnly") },
            { value: "no", label: t("orders.unpaidOnly") },
          ]}
        />
        <TextInput label={t("orders.channel")} value={channel} onChange={(e) => setChannel(e.currentTarget.value)} />
        <DatePickerInput label={t("orders.from")} clearable value={from} onChange={setFrom} valueFormat="YYYY-MM-DD" />
        <DatePickerInput label={t("orders.to")} clearable value={to} onChange={setTo} valueFormat="YYYY-MM-DD" />
      </SimpleGrid>
      {orders.isPending ? (
        <Loading />
      ) : orders.isError ? (
        <ErrorState error={orders.error} retry={() => void orders.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{filtered ? t("common.noMatches") : t("orders.none")}</Empty>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("orders.number")}</Table.Th>
                <Table.Th>{t("orders.customer")}</Table.Th>
                <Table.Th>{t("orders.status")}</Table.Th>
                <Table.Th>{t("orders.channel")}</Table.Th>
                <Table.Th>{t("orders.total")}</Table.Th>
                <Table.Th>{t("orders.created")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/orders/${o.id}`}>
                      #{o.number}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {o.customer_name}
                    <br />
                    <small>{o.customer_email}</small>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={statusColor(o.status)} variant="light">
                      {t(`status.${o.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{o.channel}</Table.Td>
                  <Table.Td>{money(o.total_gross, o.currency, lng)}</Table.Td>
                  <Table.Td>{dateTime(o.created_at, lng)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {orders.hasNextPage && (
        <Button variant="default" onClick={() => void orders.fetchNextPage()} loading={orders.isFetchingNextPage}>
          {t("common.loadMore")}
        </Button>
      )}
    </Stack>
  );
}
