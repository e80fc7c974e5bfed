import { useEffect, useState } from "react";
import { Box, Button, Card, ColorInput, Grid, Group, NumberInput, Paper, Stack, Switch, Text, TextInput, Textarea } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Controller, useForm, useWatch, type Control } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import type { components } from "../../lib/api/schema";
import { orNull, showProblem } from "../../lib/forms";
import { notify } from "../../lib/notify";

type Body = components["schemas"]["PortalSettingsBody"];
type Values = Omit<Body, "default_download_limit" | "validity_days" | "logo_url" | "support_email"> & {
  default_download_limit: number | "";
  validity_days: number | "";
  logo_url: string;
  support_email: string;
};

const FIELDS = [
  "enabled", "title", "logo_url", "accent_color", "welcome_text", "footer_text",
  "default_download_limit", "validity_days", "invoice_download", "contact_form", "support_email",
];

function toValues(s: Body): Values {
  return {
    ...s,
    default_download_limit: s.default_download_limit ?? "",
    validity_days: s.validity_days ?? "",
    logo_url: s.logo_url ?? "",
    support_email: s.support_email ?? "",
  };
}

export function PortalSettings() {
  const settings = useQuery({ queryKey: ["portal-settings"], queryFn: () => call(api.GET("/api/v1/portal-settings")) });
  const me = useQuery({ queryKey: ["me"], queryFn: () => call(api.GET("/api/v1/me")) });
  return (
    <QueryState query={settings}>
      {(s) => <PortalForm settings={s} shopName={me.data?.shop.name ?? ""} />}
    </QueryState>
  );
}

function PortalForm({ settings, shopName }: { settings: Body; shopName: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, control, handleSubmit, setError, reset, formState } = useForm<Values>({ defaultValues: toValues(settings) });
  useEffect(() => reset(toValues(settings)), [settings, reset]);
  const errors = formState.errors;

  const save = handleSubmit(async (v) => {
    setFormError(null);
    try {
      await call(
        api.PUT("/api/v1/portal-settings", {
          body: {
            ...v,
            default_download_limit: v.default_download_limit === "" ? null : v.default_download_limit,
            validity_days: v.validity_days === "" ? null : v.validity_days,
            logo_url: orNull(v.logo_url),
            support_email: orNull(v.support_email),
          },
        }),
      );
      notify(t("common.saved"));
      await queryClient.invalidateQueries({ queryKey: ["portal-settings"] });
    } catch (error) {
      setFormError(showProblem(error, setError, FIELDS));
    }
  });

  const toggle = (name: "enabled" | "invoice_download" | "contact_form", label: string) => (
    <Controller
      control={control}
      name={name}
      render={({ field }) => <Switch label={label} checked={field.value} onChange={(e) => field.onChange(e.currentTarget.checked)} />}
    />
  );
  const number = (name: "default_download_limit" | "validity_days", label: string) => (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <NumberInput
          label={label}
          description={t("portalSettings.emptyUnlimited")}
          min={1}
          allowDecimal={false}
          value={field.value}
          onChange={(v) => field.onChange(v === "" ? "" : Number(v))}
          error={errors[name]?.message}
        />
      )}
    />
  );

  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Card withBorder>
          <form onSubmit={save} noValidate>
            <Stack>
              {toggle("enabled", t("portalSettings.enabled"))}
              <TextInput label={t("portalSettings.title")} placeholder={shopName} {...register("title")} error={errors.title?.message} />
              <TextInput label={t("portalSettings.logoUrl")} placeholder="https://" {...register("logo_url")} error={errors.logo_url?.message} />
              <Controller
                control={control}
                name="accent_color"
                render={({ field }) => (
                  <ColorInput
                    label={t("portalSettings.accentColor")}
                    format="hex"
                    eyeDropperButtonProps={{ "aria-label": t("portalSettings.pickColor") }} value={field.value} onChange={field.onChange} error={errors.accent_color?.message} />
                )}
              />
              <Textarea label={t("portalSettings.welcomeText")} autosize minRows={2} {...register("welcome_text")} error={errors.welcome_text?.message} />
              <Textarea label={t("portalSettings.footerText")} autosize minRows={2} {...register("footer_text")} error={errors.footer_text?.message} />
              <Group grow align="flex-start">
                {number("default_download_limit", t("portalSettings.defaultLimit"))}
                {number("validity_days", t("portalSettings.validityDays"))}
              </Group>
              {toggle("invoice_download", t("portalSettings.invoiceDownload"))}
              {toggle("contact_form", t("portalSettings.contactForm"))}
              <TextInput label={t("portalSettings.supportEmail")} type="email" {...register("support_email")} error={errors.support_email?.message} />
              <FormError message={formError} />
              <Group>
                <Button type="submit" loading={formState.isSubmitting}>
                  {t("common.save")}
                </Button>
              </Group>
            </Stack>
          </form>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <PortalPreview control={control} shopName={shopName} />
      </Grid.Col>
    </Grid>
  );
}

/** The customer's page as the form stands, updated while typing. */
function PortalPreview({ control, shopName }: { control: Control<Values>; shopName: string }) {
  const { t } = useTranslation();
  const v = useWatch({ control });
  const accent = /^#[0-9a-fA-F]{6}$/.test(v.accent_color ?? "") ? v.accent_color : "#2f6f4f";
  return (
    <Stack gap="xs" style={{ position: "sticky", top: 72 }}>
      <Text size="sm" fw={600}>
        {t("portalSettings.preview")}
      </Text>
      <Paper withBorder shadow="sm" radius="md" style={{ overflow: "hidden" }} aria-label={t("portalSettings.preview")} role="region">
        <Box p="md" style={{ background: accent, color: "white" }}>
          <Text fw={700} size="lg">
            {v.title || shopName}
          </Text>
        </Box>
        <Stack p="md" gap="sm">
          {!v.enabled && (
            <Text c="red" size="sm">
              {t("portalSettings.disabledNote")}
            </Text>
          )}
          {v.welcome_text && (
            <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
              {v.welcome_text}
            </Text>
          )}
          <Paper withBorder p="sm">
            <Group justify="space-between" wrap="nowrap">
              <Stack gap={0}>
                <Text size="sm" fw={500}>
                  Übung für Anfänger – Teil 1.pdf
                </Text>
                <Text size="xs" c="dimmed">
                  {t("portalSettings.sampleLeft", {
                    left: v.default_download_limit === "" ? "∞" : v.default_download_limit,
                    days: v.validity_days === "" ? "∞" : v.validity_days,
                  })}
                </Text>
              </Stack>
              <Box px="sm" py={4} style={{ background: accent, color: "white", borderRadius: 6, fontSize: 13 }}>
                {t("portalSettings.sampleDownload")}
              </Box>
            </Group>
          </Paper>
          {v.invoice_download && (
            <Text size="sm" c={accent}>
              {t("portalSettings.sampleInvoice")}
            </Text>
          )}
          {v.contact_form && (
            <Text size="sm" c="dimmed">
              {t("portalSettings.sampleContact")}
            </Text>
          )}
          {(v.footer_text || v.support_email) && (
            <Text size="xs" c="dimmed" style={{ whiteSpace: "pre-wrap" }}>
              {v.footer_text}
              {v.support_email ? `\n${v.support_email}` : ""}
            </Text>
          )}
        </Stack>
      </Paper>
    </Stack>
  );
}
