import { useState } from "react";
import { Anchor, Badge, Button, Group, Stack, Table, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconPlus, IconSearch } from "@tabler/icons-react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Empty, ErrorState, Loading } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { money } from "../../lib/format";
import { language } from "../../lib/i18n";

export function ArticleList() {
  const { t } = useTranslation();
  const lng = language();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 250);
  const articles = useInfiniteQuery({
    queryKey: ["articles", { q }],
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/articles", { params: { query: { q: q || undefined, cursor: pageParam ?? undefined, limit: 50 } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
  const items = articles.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t("articles.title")}</Title>
        <Button component={Link} to="/articles/new" leftSection={<IconPlus size={16} />}>
          {t("articles.new")}
        </Button>
      </Group>
      <TextInput
        aria-label={t("common.search")}
        placeholder={t("articles.search")}
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
      />
      {articles.isPending ? (
        <Loading />
      ) : articles.isError ? (
        <ErrorState error={articles.error} retry={() => void articles.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{q ? t("common.noMatches") : t("articles.none")}</Empty>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("articles.sku")}</Table.Th>
                <Table.Th>{t("articles.name")}</Table.Th>
                <Table.Th>{t("articles.price")}</Table.Th>
                <Table.Th>{t("articles.files")}</Table.Th>
                <Table.Th>{t("articles.status")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>{a.sku}</Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/articles/${a.id}`}>
                      {a.title}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{money(a.price, a.currency, lng)}</Table.Td>
                  <Table.Td>{a.file_count}</Table.Td>
                  <Table.Td>
                    <Badge color={a.active ? "teal" : "gray"} variant="light">
                      {a.active ? t("articles.active") : t("articles.inactive")}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {articles.hasNextPage && (
        <Button variant="default" onClick={() => void articles.fetchNextPage()} loading={articles.isFetchingNextPage}>
          {t("common.loadMore")}
        </Button>
      )}
    </Stack>
  );
}
