import { useEffect, useState } from "react";
import { Button, Card, ColorInput, Grid, Group, NumberInput, Stack, Switch, TextInput, Textarea } from "@mantine/core";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Controller, useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import type { components } from "../../lib/api/schema";
import { orNull, showProblem } from "../../lib/forms";
import { notify } from "../../lib/notify";
import { PortalPreviewFrame } from "./portal-preview";
import { portalSchema } from "./portal-schema";

type Body = components["schemas"]["PortalSettingsBody"];
export type PortalFormValues = Omit<Body, "default_download_limit" | "validity_days" | "logo_url" | "support_email"> & {
  default_download_limit: number | "";
  validity_days: number | "";
  logo_url: string;
  support_email: string;
};

const FIELDS = [
  "enabled", "title", "logo_url", "accent_color", "welcome_text", "footer_text",
  "default_download_limit", "validity_days", "invoice_download", "contact_form", "support_email",
];

function toValues(s: Body): PortalFormValues {
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
  const { register, control, handleSubmit, setError, reset, formState } = useForm<PortalFormValues>({
    resolver: zodResolver(portalSchema(t)),
    defaultValues: toValues(settings),
  });
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
        <PortalPreviewFrame control={control} shopName={shopName} />
      </Grid.Col>
    </Grid>
  );
}
