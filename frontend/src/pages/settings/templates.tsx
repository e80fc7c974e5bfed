import { useEffect, useState } from "react";
import { Badge, Button, Card, Code, Grid, Group, NavLink, Paper, Select, Stack, Text, TextInput, Textarea, Title } from "@mantine/core";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery } from "@tanstack/react-query";
import { Controller, useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { ConfirmButton } from "../../components/confirm-button";
import { Empty, FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { useCallAndRefresh } from "../../lib/api/refresh";
import { asProblem, describeProblem } from "../../lib/api/problem";
import type { components } from "../../lib/api/schema";
import { showProblem } from "../../lib/forms";
import { notify } from "../../lib/notify";
import { templateSchema } from "./template-schema";

type Template = components["schemas"]["TemplateView"];
type Rendered = components["schemas"]["Rendered"];
type Values = { name: string; language: string; subject: string; body_text: string; body_html: string };

const FIELDS = ["name", "language", "subject", "body_text", "body_html"];
const BLANK: Values = { name: "", language: "de", subject: "", body_text: "", body_html: "" };

/** The form's values as the API takes a template (a blank HTML body is none). */
function toBody(v: Values): components["schemas"]["TemplateBody"] {
  return { ...v, body_html: v.body_html.trim() === "" ? null : v.body_html };
}

export function Templates() {
  const { t } = useTranslation();
  const templates = useQuery({ queryKey: ["templates"], queryFn: () => call(api.GET("/api/v1/templates")) });
  const [selected, setSelected] = useState<string | "new" | null>(null);
  return (
    <QueryState query={templates}>
      {({ items, placeholders }) => {
        const current = items.find((tpl) => tpl.id === selected) ?? (selected === "new" ? undefined : items[0]);
        const creating = selected === "new" || items.length === 0;
        return (
          <Grid>
            <Grid.Col span={{ base: 12, md: 3 }}>
              <Stack gap={4}>
                {items.map((tpl) => (
                  <NavLink
                    key={tpl.id}
                    label={tpl.name}
                    description={tpl.language.toUpperCase()}
                    active={!creating && current?.id === tpl.id}
                    onClick={() => setSelected(tpl.id)}
                  />
                ))}
                <Button variant="light" mt="xs" onClick={() => setSelected("new")}>
                  {t("templates.new")}
                </Button>
              </Stack>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 9 }}>
              <TemplateEditor
                key={creating ? "new" : current?.id}
                template={creating ? undefined : current}
                placeholders={placeholders}
                onSaved={setSelected}
              />
            </Grid.Col>
          </Grid>
        );
      }}
    </QueryState>
  );
}

function TemplateEditor({ template, placeholders, onSaved }: { template?: Template; placeholders: string[]; onSaved: (id: string | null) => void }) {
  const { t } = useTranslation();
  const callAndRefresh = useCallAndRefresh(["templates"]);
  const [formError, setFormError] = useState<string | null>(null);
  const initial: Values = template ? { ...template, body_html: template.body_html ?? "" } : BLANK;
  const { register, control, handleSubmit, setError, reset, trigger, getValues, formState } = useForm<Values>({
    resolver: zodResolver(templateSchema(t)),
    defaultValues: initial,
  });
  useEffect(() => reset(template ? { ...template, body_html: template.body_html ?? "" } : BLANK), [template, reset]);
  const errors = formState.errors;

  const save = handleSubmit(async (v) => {
    setFormError(null);
    const body = toBody(v);
    try {
      const saved = template
        ? await callAndRefresh(api.PUT("/api/v1/templates/{id}", { params: { path: { id: template.id } }, body }))
        : await callAndRefresh(api.POST("/api/v1/templates", { body }));
      notify(t("common.saved"));
      onSaved(saved.id);
    } catch (error) {
      setFormError(showProblem(error, setError, FIELDS));
    }
  });

  // The preview renders the form as it stands, saved or not; the server
  // checks the draft like a save and names the field of a mistake. It is
  // no submission: the form is only checked, not sent.
  const renderDraft = async (orderId: string | null): Promise<Rendered | null> => {
    if (!(await trigger())) return null;
    setFormError(null);
    try {
      const path = { id: template!.id };
      return await call(api.POST("/api/v1/templates/{id}/preview", { params: { path }, body: { order_id: orderId, draft: toBody(getValues()) } }));
    } catch (error) {
      setFormError(showProblem(error, setError, FIELDS));
      return null;
    }
  };

  return (
    <Stack>
      <Card withBorder>
        <form onSubmit={save} noValidate>
          <Stack>
            <Group grow align="flex-start">
              <TextInput label={t("templates.name")} {...register("name")} error={errors.name?.message} />
              <Controller
                control={control}
                name="language"
                render={({ field }) => (
                  <Select
                    label={t("orders.language")}
                    allowDeselect={false}
                    value={field.value}
                    onChange={(v) => field.onChange(v ?? "de")}
                    error={errors.language?.message}
                    data={[
                      { value: "de", label: "Deutsch" },
                      { value: "en", label: "English" },
                    ]}
                  />
                )}
              />
            </Group>
            <TextInput label={t("templates.subject")} {...register("subject")} error={errors.subject?.message} />
            <Textarea label={t("templates.bodyText")} autosize minRows={8} styles={{ input: { fontFamily: "monospace" } }} {...register("body_text")} error={errors.body_text?.message} />
            <Textarea label={t("templates.bodyHtml")} autosize minRows={4} styles={{ input: { fontFamily: "monospace" } }} {...register("body_html")} error={errors.body_html?.message} />
            <div>
              <Text size="sm" fw={500}>
                {t("templates.placeholders")}
              </Text>
              <Group gap={4} mt={4}>
                {placeholders.map((p) => (
                  <Code key={p}>{`{{ ${p} }}`}</Code>
                ))}
              </Group>
            </div>
            <FormError message={formError} />
            <Group justify="space-between">
              <Button type="submit" loading={formState.isSubmitting}>
                {template ? t("common.save") : t("templates.create")}
              </Button>
              {template && (
                <ConfirmButton
                  question={t("templates.deleteQuestion", { name: template.name })}
                  confirmLabel={t("common.delete")}
                  onConfirm={async () => {
                    try {
                      await callAndRefresh(api.DELETE("/api/v1/templates/{id}", { params: { path: { id: template.id } } }));
                      onSaved(null);
                    } catch (e) {
                      setFormError(describeProblem(asProblem(e)));
                    }
                  }}
                >
                  {t("common.delete")}
                </ConfirmButton>
              )}
            </Group>
          </Stack>
        </form>
      </Card>
      {template && <Preview render={renderDraft} />}
    </Stack>
  );
}

/** The editor's template, as it stands, rendered with a real order of the shop (or a sample). */
function Preview({ render }: { render: (orderId: string | null) => Promise<Rendered | null> }) {
  const { t } = useTranslation();
  const [orderId, setOrderId] = useState<string | null>(null);
  const [rendered, setRendered] = useState<Rendered | null>(null);
  // One render at a time, so an older answer never replaces a newer one.
  const [rendering, setRendering] = useState(false);
  const orders = useQuery({
    queryKey: ["orders", { limit: 20 }],
    queryFn: () => call(api.GET("/api/v1/orders", { params: { query: { limit: 20 } } })),
  });
  return (
    <Card withBorder>
      <Title order={2} size="h5" mb="xs">
        {t("templates.preview")}
      </Title>
      <Group align="flex-end">
        <Select
          label={t("templates.previewOrder")}
          placeholder={t("templates.sampleOrder")}
          clearable
          value={orderId}
          onChange={setOrderId}
          data={(orders.data?.items ?? []).map((o) => ({ value: o.id, label: `#${o.number} ${o.customer_name}` }))}
        />
        <Button
          variant="light"
          loading={rendering}
          onClick={() => {
            setRendering(true);
            void render(orderId)
              .then(setRendered)
              .finally(() => setRendering(false));
          }}
        >
          {t("templates.render")}
        </Button>
      </Group>
      {rendered ? (
        <Paper withBorder p="sm" mt="sm">
          <Badge variant="light" mb="xs">
            {rendered.subject}
          </Badge>
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {rendered.body_text}
          </Text>
        </Paper>
      ) : (
        <Empty>{t("templates.previewHint")}</Empty>
      )}
    </Card>
  );
}
