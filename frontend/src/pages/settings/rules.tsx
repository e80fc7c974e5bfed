import { useState } from "react";
import { Badge, Button, Card, Group, Select, SimpleGrid, Stack, Switch, Table, TagsInput, TextInput } from "@mantine/core";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery } from "@tanstack/react-query";
import { Controller, useForm, useWatch } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { ConfirmButton } from "../../components/confirm-button";
import { Empty, FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { useCallAndRefresh } from "../../lib/api/refresh";
import type { components } from "../../lib/api/schema";
import { showProblem } from "../../lib/forms";
import { STATUSES } from "../orders/status";
import { Modal } from "../../components/modal";
import { pointDecimal } from "../../lib/validation";
import { ruleSchema } from "./rule-schema";

type Rule = components["schemas"]["RuleView"];
type Body = components["schemas"]["RuleBody"];
type Values = {
  name: string;
  trigger: Body["trigger"];
  trigger_status: string | null;
  template_name: string;
  language: string | null;
  channels: string[];
  min_total: string;
  only_digital: boolean;
  repeatable: boolean;
  enabled: boolean;
  action: "email" | "sales_channel";
};

const FIELDS = ["name", "trigger", "trigger_status", "template_name", "language", "channels", "min_total", "only_digital", "repeatable", "enabled", "action"];

function toValues(rule?: Rule): Values {
  return {
    name: rule?.name ?? "",
    trigger: rule?.trigger ?? "order_paid",
    trigger_status: rule?.trigger_status ?? null,
    template_name: rule?.template_name ?? "",
    language: rule?.language ?? null,
    channels: rule?.channels ?? [],
    min_total: rule?.min_total ?? "",
    only_digital: rule?.only_digital ?? true,
    repeatable: rule?.repeatable ?? false,
    enabled: rule?.enabled ?? true,
    action: rule?.action ?? "email",
  };
}

export function Rules() {
  const { t } = useTranslation();
  const callAndRefresh = useCallAndRefresh(["rules"]);
  const rules = useQuery({ queryKey: ["rules"], queryFn: () => call(api.GET("/api/v1/rules")) });
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  return (
    <Stack>
      <Group>
        <Button onClick={() => setEditing("new")}>{t("rules.new")}</Button>
      </Group>
      <QueryState query={rules}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty>{t("rules.none")}</Empty>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("rules.name")}</Table.Th>
                    <Table.Th>{t("rules.trigger")}</Table.Th>
                    <Table.Th>{t("rules.template")}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((rule) => (
                    <Table.Tr key={rule.id}>
                      <Table.Td>
                        {rule.name}{" "}
                        {!rule.enabled && (
                          <Badge color="gray" variant="light">
                            {t("rules.off")}
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td>{t(`rules.triggers.${rule.trigger}`)}</Table.Td>
                      <Table.Td>{rule.template_name}</Table.Td>
                      <Table.Td>
                        <Group gap="xs" justify="flex-end">
                          <Button size="xs" variant="light" onClick={() => setEditing(rule)}>
                            {t("common.edit")}
                          </Button>
                          <ConfirmButton
                            size="xs"
                            question={t("rules.deleteQuestion", { name: rule.name })}
                            confirmLabel={t("common.delete")}
                            onConfirm={() =>
                              callAndRefresh(api.DELETE("/api/v1/rules/{id}", { params: { path: { id: rule.id } } }))
                            }
                          >
                            {t("common.delete")}
                          </ConfirmButton>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      {editing && <RuleForm rule={editing === "new" ? undefined : editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function RuleForm({ rule, onClose }: { rule?: Rule; onClose: () => void }) {
  const { t } = useTranslation();
  const callAndRefresh = useCallAndRefresh(["rules"]);
  const templates = useQuery({ queryKey: ["templates"], queryFn: () => call(api.GET("/api/v1/templates")) });
  const [formError, setFormError] = useState<string | null>(null);
  const { register, control, handleSubmit, setError, formState } = useForm<Values>({
    resolver: zodResolver(ruleSchema(t)),
    defaultValues: toValues(rule),
  });
  const trigger = useWatch({ control, name: "trigger" });
  const errors = formState.errors;
  const names = [...new Set((templates.data?.items ?? []).map((tpl) => tpl.name))];

  const save = handleSubmit(async (v) => {
    setFormError(null);
    const body: Body = {
      ...v,
      trigger_status: v.trigger === "status_changed" ? ((v.trigger_status as Body["trigger_status"]) ?? null) : null,
      language: v.language,
      // No channel named means every channel; the API says that with null.
      channels: v.channels.length > 0 ? v.channels : null,
      min_total: v.min_total === "" ? null : pointDecimal(v.min_total),
    };
    try {
      if (rule) await callAndRefresh(api.PUT("/api/v1/rules/{id}", { params: { path: { id: rule.id } }, body }));
      else await callAndRefresh(api.POST("/api/v1/rules", { body }));
      onClose();
    } catch (error) {
      setFormError(showProblem(error, setError, FIELDS));
    }
  });

  const toggle = (name: "only_digital" | "repeatable" | "enabled", label: string) => (
    <Controller control={control} name={name} render={({ field }) => <Switch label={label} checked={field.value} onChange={(e) => field.onChange(e.currentTarget.checked)} />} />
  );

  return (
    <Modal opened onClose={onClose} title={rule ? rule.name : t("rules.new")} size="lg">
      <Card>
        <form onSubmit={save} noValidate>
          <Stack>
            <TextInput label={t("rules.name")} {...register("name")} error={errors.name?.message} />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Controller
                control={control}
                name="trigger"
                render={({ field }) => (
                  <Select
                    label={t("rules.trigger")}
                    allowDeselect={false}
                    value={field.value}
                    onChange={(v) => field.onChange(v)}
                    error={errors.trigger?.message}
                    data={(["order_paid", "status_changed", "order_created"] as const).map((k) => ({ value: k, label: t(`rules.triggers.${k}`) }))}
                  />
                )}
              />
              {trigger === "status_changed" && (
                <Controller
                  control={control}
                  name="trigger_status"
                  render={({ field }) => (
                    <Select
                      label={t("rules.toStatus")}
                      clearable
                      value={field.value}
                      onChange={field.onChange}
                      error={errors.trigger_status?.message}
                      data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
                    />
                  )}
                />
              )}
              <Controller
                control={control}
                name="template_name"
                render={({ field }) => (
                  <Select label={t("rules.template")} value={field.value || null} onChange={(v) => field.onChange(v ?? "")} data={names} error={errors.template_name?.message} />
                )}
              />
              <Controller
                control={control}
                name="language"
                render={({ field }) => (
                  <Select
                    label={t("rules.language")}
                    placeholder={t("rules.anyLanguage")}
                    clearable
                    value={field.value}
                    onChange={field.onChange}
                    error={errors.language?.message}
                    data={[
                      { value: "de", label: "Deutsch" },
                      { value: "en", label: "English" },
                    ]}
                  />
                )}
              />
              <Controller
                control={control}
                name="channels"
                render={({ field }) => (
                  <TagsInput
                    label={t("rules.channels")}
                    placeholder={field.value.length === 0 ? t("rules.anyChannel") : undefined}
                    value={field.value}
                    onChange={field.onChange}
                    // A refused name is reported at its item (channels.0); show the first.
                    error={errors.channels?.message ?? (Array.isArray(errors.channels) ? errors.channels.find(Boolean)?.message : undefined)}
                  />
                )}
              />
              <TextInput label={t("rules.minTotal")} {...register("min_total")} error={errors.min_total?.message} />
              <Controller
                control={control}
                name="action"
                render={({ field }) => (
                  <Select
                    label={t("rules.action")}
                    allowDeselect={false}
                    value={field.value}
                    onChange={(v) => field.onChange(v ?? "email")}
                    error={errors.action?.message}
                    data={[
                      { value: "email", label: t("rules.actions.email") },
                      { value: "sales_channel", label: t("rules.actions.sales_channel") },
                    ]}
                  />
                )}
              />
            </SimpleGrid>
            {toggle("only_digital", t("rules.onlyDigital"))}
            {toggle("repeatable", t("rules.repeatable"))}
            {toggle("enabled", t("rules.enabled"))}
            <FormError message={formError} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t("common.cancel")}
              </Button>
              <Button type="submit" loading={formState.isSubmitting}>
                {t("common.save")}
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
    </Modal>
  );
}
