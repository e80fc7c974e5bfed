import { Anchor, Stack, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

export function NotFound() {
  const { t } = useTranslation();
  return (
    <Stack>
      <Title order={1}>{t("common.notFound")}</Title>
      <Anchor component={Link} to="/" underline="always">
        {t("nav.home")}
      </Anchor>
    </Stack>
  );
}
