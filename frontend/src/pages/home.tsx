import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Empty, QueryState } from "../components/states";
import { api } from "../lib/api/client";
import { call } from "../lib/api/call";
import { dateTime, money } from "../lib/format";
import { language } from "../lib/i18n";

function Figure({ label, value, alert }: { label: string; value: number; alert?: boolean }) {
  return (
    <Card withBorder>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} c={alert && value > 0 ? "red" : undefined}>
        {value}
      </Text>
    </Card>
  );
}

export function Home() {
  const { t } = useTranslation();
  const lng = language();
  const overview = useQuery({ queryKey: ["overview"], queryFn: () => call(api.GET("/api/v1/overview")) });
  const recent = useQuery({
    queryKey: ["orders", { paid: true, limit: 5 }],
    queryFn: () => call(api.GET("/api/v1/orders", { params: { query: { paid: true, limit: 5 } } })),
  });

  return (
    <Stack>
      <Title order={1}>{t("home.title")}</Title>
      <QueryState query={overview}>
        {(o) => (
          <Stack>
            <SimpleGrid cols={{ base: 1, xs: 3 }}>
              <Figure label={t("home.paidToday")} value={o.paid_orders_today} />
              <Figure label={t("home.downloadsToday")} value={o.downloads_today} />
              <Figure label={t("home.failedMessages")} value={o.failed_messages} alert />
            </SimpleGrid>
            {o.latest_failed_messages.length > 0 && (
              <Card withBorder>
                <Title order={2} size="h4" mb="xs">
                  {t("home.failedMessages")}
                </Title>
                <Stack gap="xs">
                  {o.latest_failed_messages.map((m) => (
                    <Group key={m.id} justify="space-between" wrap="nowrap">
                      <Text size="sm">
                        {m.order_id ? (
                          <Anchor component={Link} to={`/orders/${m.order_id}?tab=history`}>
                            {m.subject}
                          </Anchor>
                        ) : (
                          m.subject
                        )}{" "}
                        → {m.recipient}
                      </Text>
                      <Text size="xs" c="red">
                        {m.last_error}
                      </Text>
                    </Group>
                  ))}
                </Stack>
              </Card>
            )}
            {o.missing_files.length > 0 && (
              <Card withBorder>
                <Title order={2} size="h4" mb="xs">
                  {t("home.missingFiles")}
                </Title>
                <Stack gap={4}>
                  {o.missing_files.map((f) => (
                    <Text size="sm" key={f.file_id}>
                      <Badge color="red" size="xs" mr="xs">
                        {t("files.missing")}
                      </Badge>
                      {f.display_name} —{" "}
                      <Anchor component={Link} to={`/articles/${f.article_id}?tab=files`}>
                        {f.article_title}
                      </Anchor>
                    </Text>
                  ))}
                </Stack>
              </Card>
            )}
          </Stack>
        )}
      </QueryState>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          {t("home.recentPaid")}
        </Title>
        <QueryState query={recent}>
          {(page) =>
            page.items.length === 0 ? (
              <Empty>{t("home.noPaidOrders")}</Empty>
            ) : (
              <Table.ScrollContainer minWidth={480}>
                <Table>
                  <Table.Tbody>
                    {page.items.map((o) => (
                      <Table.Tr key={o.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/orders/${o.id}`}>
                            #{o.number}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{o.customer_name}</Table.Td>
                        <Table.Td>{money(o.total_gross, o.currency, lng)}</Table.Td>
                        <Table.Td>{dateTime(o.paid_at, lng)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryState>
      </Card>
    </Stack>
  );
}
