import { useState } from "react";
import { Anchor, Badge, Button, Group, Select, Stack, Table, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Empty, ErrorState, Loading } from "../components/states";
import { api } from "../lib/api/client";
import { call } from "../lib/api/call";
import { saveAuthorized } from "../lib/download";
import { date, money } from "../lib/format";
import { language } from "../lib/i18n";

export function InvoiceList() {
  const { t } = useTranslation();
  const lng = language();
  const [kind, setKind] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 250);
  const filters = { kind: (kind as "invoice" | "cancellation" | null) ?? undefined, q: q || undefined };
  const invoices = useInfiniteQuery({
    queryKey: ["invoices", filters],
    queryFn: ({ pageParam }) => call(api.GET("/api/v1/invoices", { params: { query: { ...filters, cursor: pageParam ?? undefined } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
  const items = invoices.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <Title order={1}>{t("invoices.title")}</Title>
      <Group grow>
        <TextInput label={t("invoices.number")} value={search} onChange={(e) => setSearch(e.currentTarget.value)} />
        <Select
          label={t("invoices.kind")}
          clearable
          value={kind}
          onChange={setKind}
          data={[
            { value: "invoice", label: t("invoices.invoice") },
            { value: "cancellation", label: t("invoices.cancellation") },
          ]}
        />
      </Group>
      {invoices.isPending ? (
        <Loading />
      ) : invoices.isError ? (
        <ErrorState error={invoices.error} retry={() => void invoices.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{t("invoices.none")}</Empty>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("invoices.number")}</Table.Th>
                <Table.Th>{t("invoices.kind")}</Table.Th>
                <Table.Th>{t("orders.number")}</Table.Th>
                <Table.Th>{t("invoices.issued")}</Table.Th>
                <Table.Th>{t("orders.total")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((i) => (
                <Table.Tr key={i.id}>
                  <Table.Td>{i.number}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={i.kind === "cancellation" ? "red" : "teal"}>
                      {i.kind === "cancellation" ? t("invoices.cancellation") : t("invoices.invoice")}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/orders/${i.order_id}`}>
                      #{i.order_number}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{date(i.issued_at, lng)}</Table.Td>
                  <Table.Td>{money(i.total_gross, i.currency, lng)}</Table.Td>
                  <Table.Td>
                    <Anchor component="button" type="button" onClick={() => void saveAuthorized("/api/v1/invoices/{id}/pdf", i.id, `${i.number}.pdf`)}>
                      PDF
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {invoices.hasNextPage && (
        <Button variant="default" onClick={() => void invoices.fetchNextPage()}>
          {t("common.loadMore")}
        </Button>
      )}
    </Stack>
  );
}
