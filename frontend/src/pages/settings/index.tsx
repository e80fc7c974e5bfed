import { Stack, Tabs, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";

import { ApiKeys } from "./api-keys";
import { InvoiceSettings } from "./invoices";
import { PortalSettings } from "./portal";
import { Rules } from "./rules";
import { Templates } from "./templates";

export function Settings() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "portal";
  return (
    <Stack>
      <Title order={1}>{t("settings.title")}</Title>
      <Tabs value={tab} onChange={(value) => setParams({ tab: value ?? "portal" }, { replace: true })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="portal">{t("settings.portal")}</Tabs.Tab>
          <Tabs.Tab value="invoices">{t("settings.invoices")}</Tabs.Tab>
          <Tabs.Tab value="templates">{t("settings.templates")}</Tabs.Tab>
          <Tabs.Tab value="rules">{t("settings.rules")}</Tabs.Tab>
          <Tabs.Tab value="api-keys">{t("settings.apiKeys")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="portal" pt="md">
          <PortalSettings />
        </Tabs.Panel>
        <Tabs.Panel value="invoices" pt="md">
          <InvoiceSettings />
        </Tabs.Panel>
        <Tabs.Panel value="templates" pt="md">
          <Templates />
        </Tabs.Panel>
        <Tabs.Panel value="rules" pt="md">
          <Rules />
        </Tabs.Panel>
        <Tabs.Panel value="api-keys" pt="md">
          <ApiKeys />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
