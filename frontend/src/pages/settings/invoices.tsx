import { useEffect, useState } from "react";
import { Button, Card, Group, NumberInput, Select, Stack, Switch, Text, TextInput, Textarea } from "@mantine/core";
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
import { invoiceSchema } from "./invoice-schema";

type Body = components["schemas"]["InvoiceSettingsBody"];
type Values = Omit<Body, "vat_id" | "tax_number"> & { vat_id: string; tax_number: string };

const FIELDS = [
  "company_name", "address", "vat_id", "tax_number", "contact", "bank_details", "footer",
  "number_prefix", "number_with_year", "number_digits", "issue_mode",
];

export function InvoiceSettings() {
  const settings = useQuery({ queryKey: ["invoice-settings"], queryFn: () => call(api.GET("/api/v1/invoice-settings")) });
  return <QueryState query={settings}>{(s) => <InvoiceForm settings={s} example={s.example_number} />}</QueryState>;
}

function InvoiceForm({ settings, example }: { settings: Body; example: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const initial = { ...settings, vat_id: settings.vat_id ?? "", tax_number: settings.tax_number ?? "" };
  const { register, control, handleSubmit, setError, reset, formState } = useForm<Values>({
    resolver: zodResolver(invoiceSchema(t)),
    defaultValues: initial,
  });
  useEffect(() => reset({ ...settings, vat_id: settings.vat_id ?? "", tax_number: settings.tax_number ?? "" }), [settings, reset]);
  const errors = formState.errors;

  const save = handleSubmit(async (v) => {
    setFormError(null);
    try {
      await call(api.PUT("/api/v1/invoice-settings", { body: { ...v, vat_id: orNull(v.vat_id), tax_number: orNull(v.tax_number) } }));
      notify(t("common.saved"));
      await queryClient.invalidateQueries({ queryKey: ["invoice-settings"] });
    } catch (error) {
      setFormError(showProblem(error, setError, FIELDS));
    }
  });

  return (
    <Card withBorder>
      <form onSubmit={save} noValidate>
        <Stack>
          <TextInput label={t("invoiceSettings.companyName")} {...register("company_name")} error={errors.company_name?.message} />
          <Textarea label={t("invoiceSettings.address")} autosize minRows={3} {...register("address")} error={errors.address?.message} />
          <Group grow align="flex-start">
            <TextInput label={t("invoiceSettings.vatId")} {...register("vat_id")} error={errors.vat_id?.message} />
            <TextInput label={t("invoiceSettings.taxNumber")} {...register("tax_number")} error={errors.tax_number?.message} />
          </Group>
          <Group grow align="flex-start">
            <Textarea label={t("invoiceSettings.contact")} autosize minRows={2} {...register("contact")} error={errors.contact?.message} />
            <Textarea label={t("invoiceSettings.bankDetails")} autosize minRows={2} {...register("bank_details")} error={errors.bank_details?.message} />
          </Group>
          <Textarea label={t("invoiceSettings.footer")} autosize minRows={2} {...register("footer")} error={errors.footer?.message} />
          <Group grow align="flex-start">
            <TextInput label={t("invoiceSettings.prefix")} {...register("number_prefix")} error={errors.number_prefix?.message} />
            <Controller
              control={control}
              name="number_digits"
              render={({ field }) => (
                <NumberInput
                  label={t("invoiceSettings.digits")}
                  min={1}
                  max={10}
                  allowDecimal={false}
                  value={field.value}
                  onChange={(v) => field.onChange(Number(v) || 1)}
                  error={errors.number_digits?.message}
                />
              )}
            />
          </Group>
          <Controller
            control={control}
            name="number_with_year"
            render={({ field }) => (
              <Switch label={t("invoiceSettings.withYear")} checked={field.value} onChange={(e) => field.onChange(e.currentTarget.checked)} />
            )}
          />
          <Text size="sm" c="dimmed">
            {t("invoiceSettings.example", { number: example })}
          </Text>
          <Controller
            control={control}
            name="issue_mode"
            render={({ field }) => (
              <Select
                label={t("invoiceSettings.issueMode")}
                allowDeselect={false}
                value={field.value}
                onChange={(v) => field.onChange(v ?? "manual")}
                error={errors.issue_mode?.message}
                data={[
                  { value: "manual", label: t("invoiceSettings.modes.manual") },
                  { value: "on_paid", label: t("invoiceSettings.modes.on_paid") },
                  { value: "on_portal_open", label: t("invoiceSettings.modes.on_portal_open") },
                ]}
              />
            )}
          />
          <FormError message={formError} />
          <Group>
            <Button type="submit" loading={formState.isSubmitting}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
