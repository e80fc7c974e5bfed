import { AppShell, Burger, Button, Group, NavLink, SegmentedControl, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import {
  IconCloud,
  IconFileInvoice,
  IconHome,
  IconLogout,
  IconPackage,
  IconSettings,
  IconShoppingCart,
} from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, Outlet, useLocation } from "react-router";

import { useAuth } from "../lib/auth";
import { Loading } from "./states";

const NAV = [
  { to: "/", key: "nav.home", icon: IconHome, exact: true },
  { to: "/orders", key: "nav.orders", icon: IconShoppingCart },
  { to: "/articles", key: "nav.articles", icon: IconPackage },
  { to: "/storage", key: "nav.storage", icon: IconCloud },
  { to: "/invoices", key: "nav.invoices", icon: IconFileInvoice },
  { to: "/settings", key: "nav.settings", icon: IconSettings },
] as const;

export function LanguageSwitch() {
  const { i18n, t } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t("common.language")}
      value={i18n.resolvedLanguage === "de" ? "de" : "en"}
      onChange={(lng) => void i18n.changeLanguage(lng)}
      data={[
        { value: "de", label: "DE" },
        { value: "en", label: "EN" },
      ]}
    />
  );
}

/** The signed-in frame: header, navigation, the page. */
export function Layout() {
  const { status, me, signOut } = useAuth();
  const { t } = useTranslation();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure();

  if (status === "loading") return <Loading />;
  if (status === "signed-out") return <Navigate to="/signin" replace state={{ from: location.pathname }} />;

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("nav.menu")} />
            <Title order={4} component="p">
              {me?.shop.name}
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" c="dimmed" visibleFrom="md">
              {me?.user?.email}
            </Text>
            <LanguageSwitch />
            <Button variant="subtle" size="xs" leftSection={<IconLogout size={16} />} onClick={() => void signOut()}>
              {t("nav.signOut")}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t("nav.main")}>
        {NAV.map((item) => {
          const active = "exact" in item ? location.pathname === item.to : location.pathname.startsWith(item.to);
          return (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={t(item.key)}
              leftSection={<item.icon size={18} stroke={1.5} />}
              active={active}
              variant="filled"
              onClick={close}
            />
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
