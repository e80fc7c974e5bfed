import { useEffect, useState } from "react";
import { Button, Card, Group, NumberInput, Stack, Switch, Tabs, TextInput, Textarea, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { zodResolver } from "@hookform/resolvers/zod";
import { Controller, useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams, useSearchParams } from "react-router";

import { ConfirmButton } from "../../components/confirm-button";
import { FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import type { components } from "../../lib/api/schema";
import { showProblem } from "../../lib/forms";
import { pointDecimal } from "../../lib/validation";
import { ArticleFiles } from "./files";
import { notify } from "../../lib/notify";
import { articleSchema } from "./article-schema";

type Article = components["schemas"]["ArticleView"];

type Values = {
  sku: string;
  title: string;
  description: string;
  price: string;
  currency: string;
  vat_rate: string;
  active: boolean;
  download_limit: number | "";
  validity_days: number | "";
};

const FIELDS = ["sku", "title", "description", "price", "currency", "vat_rate", "active", "download_limit", "validity_days"];

function initial(a?: Article): Values {
  return {
    sku: a?.sku ?? "",
    title: a?.title ?? "",
    description: a?.description ?? "",
    price: a?.price ?? "",
    currency: a?.currency ?? "EUR",
    vat_rate: a?.vat_rate ? String(Number(a.vat_rate)) : "19",
    active: a?.active ?? true,
    download_limit: a?.download_limit ?? "",
    validity_days: a?.validity_days ?? "",
  };
}

export function ArticleEdit() {
  const { id } = useParams();
  const article = useQuery({
    queryKey: ["articles", id],
    queryFn: () => call(api.GET("/api/v1/articles/{id}", { params: { path: { id: id! } } })),
    enabled: Boolean(id),
  });
  if (!id) return <ArticleTabs />;
  return <QueryState query={article}>{(a) => <ArticleTabs article={a} />}</QueryState>;
}

function ArticleTabs({ article }: { article?: Article }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "details";
  return (
    <Stack>
      <Title order={1}>{article ? article.title : t("articles.new")}</Title>
      <Tabs value={tab} onChange={(value) => setParams({ tab: value ?? "details" }, { replace: true })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="details">{t("articles.details")}</Tabs.Tab>
          <Tabs.Tab value="files" disabled={!article}>
            {t("articles.files")}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="details" pt="md">
          <ArticleForm article={article} />
        </Tabs.Panel>
        {article && (
          <Tabs.Panel value="files" pt="md">
            <ArticleFiles articleId={article.id} />
          </Tabs.Panel>
        )}
      </Tabs>
    </Stack>
  );
}

function ArticleForm({ article }: { article?: Article }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, control, handleSubmit, setError, reset, formState } = useForm<Values>({
    resolver: zodResolver(articleSchema(t)),
    defaultValues: initial(article),
  });
  useEffect(() => reset(initial(article)), [article, reset]);
  const errors = formState.errors;

  const save = handleSubmit(async (v) => {
    setFormError(null);
    const body = {
      sku: v.sku,
      title: v.title,
      description: v.description,
      price: pointDecimal(v.price),
      currency: v.currency,
      vat_rate: pointDecimal(v.vat_rate),
      active: v.active,
      download_limit: v.download_limit === "" ? null : v.download_limit,
      validity_days: v.validity_days === "" ? null : v.validity_days,
    };
    try {
      if (article) {
        await call(api.PATCH("/api/v1/articles/{id}", { params: { path: { id: article.id } }, body }));
        notify(t("common.saved"));
        await queryClient.invalidateQueries({ queryKey: ["articles"] });
      } else {
        const created = await call(api.POST("/api/v1/articles", { body }));
        await queryClient.invalidateQueries({ queryKey: ["articles"] });
        void navigate(`/articles/${created.id}?tab=files`, { replace: true });
      }
    } catch (error) {
      setFormError(showProblem(error, setError, FIELDS));
    }
  });

  const remove = async () => {
    try {
      await call(api.DELETE("/api/v1/articles/{id}", { params: { path: { id: article!.id } } }));
      await queryClient.invalidateQueries({ queryKey: ["articles"] });
      void navigate("/articles");
    } catch (error) {
      setFormError(showProblem(error, setError, []));
    }
  };

  const limitInput = (name: "download_limit" | "validity_days", label: string, description: string) => (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <NumberInput
          label={label}
          description={description}
          min={1}
          allowDecimal={false}
          value={field.value}
          onChange={(value) => field.onChange(value === "" ? "" : Number(value))}
          error={errors[name]?.message}
        />
      )}
    />
  );

  return (
    <Card withBorder>
      <form onSubmit={save} noValidate>
        <Stack>
          <Group grow align="flex-start">
            <TextInput label={t("articles.sku")} required {...register("sku")} error={errors.sku?.message} />
            <TextInput label={t("articles.name")} required {...register("title")} error={errors.title?.message} />
          </Group>
          <Textarea label={t("articles.description")} autosize minRows={2} {...register("description")} error={errors.description?.message} />
          <Group grow align="flex-start">
            <TextInput label={t("articles.price")} description={t("articles.priceHelp")} required {...register("price")} error={errors.price?.message} />
            <TextInput label={t("articles.currency")} {...register("currency")} error={errors.currency?.message} />
            <TextInput label={t("articles.vatRate")} {...register("vat_rate")} error={errors.vat_rate?.message} />
          </Group>
          <Group grow align="flex-start">
            {limitInput("download_limit", t("articles.downloadLimit"), t("articles.defaultFromPortal"))}
            {limitInput("validity_days", t("articles.validityDays"), t("articles.defaultFromPortal"))}
          </Group>
          <Controller
            control={control}
            name="active"
            render={({ field }) => (
              <Switch label={t("articles.active")} checked={field.value} onChange={(e) => field.onChange(e.currentTarget.checked)} />
            )}
          />
          <FormError message={formError} />
          <Group justify="space-between">
            <Button type="submit" loading={formState.isSubmitting}>
              {article ? t("common.save") : t("articles.create")}
            </Button>
            {article && (
              <ConfirmButton question={t("articles.deleteQuestion")} confirmLabel={t("common.delete")} onConfirm={remove}>
                {t("common.delete")}
              </ConfirmButton>
            )}
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
