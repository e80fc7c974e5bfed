import { Badge, Group, Stack, Tabs, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useParams, useSearchParams } from "react-router";

import { QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { DownloadsTab } from "./downloads-tab";
import { HistoryTab } from "./history-tab";
import { NumbersTab } from "./numbers-tab";
import { OverviewTab } from "./overview-tab";
import { statusColor } from "./status";

export function OrderPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "overview";
  const order = useQuery({
    queryKey: ["orders", id],
    queryFn: () => call(api.GET("/api/v1/orders/{id}", { params: { path: { id: id! } } })),
  });
  return (
    <QueryState query={order}>
      {(o) => (
        <Stack>
          <Group>
            <Title order={1}>{t("orders.order", { number: o.number })}</Title>
            <Badge color={statusColor(o.status)} size="lg" variant="light">
              {t(`status.${o.status}`)}
            </Badge>
          </Group>
          <Tabs value={tab} onChange={(value) => setParams({ tab: value ?? "overview" }, { replace: true })} keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="overview">{t("orders.tabs.overview")}</Tabs.Tab>
              <Tabs.Tab value="downloads">{t("orders.tabs.downloads")}</Tabs.Tab>
              <Tabs.Tab value="numbers">{t("orders.tabs.numbers")}</Tabs.Tab>
              <Tabs.Tab value="history">{t("orders.tabs.history")}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="overview" pt="md">
              <OverviewTab order={o} />
            </Tabs.Panel>
            <Tabs.Panel value="downloads" pt="md">
              <DownloadsTab order={o} />
            </Tabs.Panel>
            <Tabs.Panel value="numbers" pt="md">
              <NumbersTab order={o} />
            </Tabs.Panel>
            <Tabs.Panel value="history" pt="md">
              <HistoryTab order={o} />
            </Tabs.Panel>
          </Tabs>
        </Stack>
      )}
    </QueryState>
  );
}
