import { useState } from "react";
import { zodResolver } from "@hookform/resolvers/zod";
import { ActionIcon, Button, Card, Group, NumberInput, Select, SimpleGrid, Stack, TextInput, Title } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Controller, useFieldArray, useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

import { FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { orNull, showProblem } from "../../lib/forms";
import { language } from "../../lib/i18n";
import { money } from "../../lib/format";
import { orderSchema } from "./order-schema";

type Values = {
  name: string;
  email: string;
  language: "de" | "en";
  company: string;
  street: string;
  postal_code: string;
  city: string;
  country: string;
  status: "open" | "paid";
  items: { article_id: string | null; quantity: number }[];
};

const ADDRESS = ["company", "street", "postal_code", "city", "country"].map((f) => `billing_address.${f}`);
const FIELDS = ["customer.name", "customer.email", "customer.language", "status", ...ADDRESS];

/** A manual order: a customer and articles of the shop. */
export function OrderNew() {
  const { t } = useTranslation();
  const articles = useQuery({
    queryKey: ["articles", { all: true }],
    queryFn: () => call(api.GET("/api/v1/articles", { params: { query: { limit: 200 } } })),
  });
  return (
    <Stack>
      <Title order={1}>{t("orders.new")}</Title>
      <QueryState query={articles}>
        {(page) => (
          <NewOrderForm
            articles={page.items.map((a) => ({ value: a.id, label: `${a.title} (${a.sku}) — ${money(a.price, a.currency, language())}` }))}
          />
        )}
      </QueryState>
    </Stack>
  );
}

function NewOrderForm({ articles }: { articles: { value: string; label: string }[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, control, handleSubmit, setError, formState } = useForm<Values>({
    resolver: zodResolver(orderSchema(t)),
    defaultValues: {
      name: "",
      email: "",
      language: language(),
      company: "",
      street: "",
      postal_code: "",
      city: "",
      country: "",
      status: "open",
      items: [{ article_id: articles[0]?.value ?? null, quantity: 1 }],
    },
  });
  const lines = useFieldArray({ control, name: "items" });
  const errors = formState.errors as Record<string, { message?: string } | undefined>;

  const submit = handleSubmit(async (v) => {
    setFormError(null);
    try {
      const order = await call(
        api.POST("/api/v1/orders", {
          body: {
            customer: { name: v.name, email: v.email, language: v.language },
            billing_address: {
              company: orNull(v.company),
              name: orNull(v.name),
              street: orNull(v.street),
              postal_code: orNull(v.postal_code),
              city: orNull(v.city),
              country: orNull(v.country),
            },
            items: v.items.filter((i) => i.article_id).map((i) => ({ article_id: i.article_id!, quantity: i.quantity })),
            status: v.status,
          },
        }),
      );
      await queryClient.invalidateQueries({ queryKey: ["orders"] });
      void navigate(`/orders/${order.id}`, { replace: true });
    } catch (error) {
      // The server numbers only the lines sent (those with an article):
      // its `items[i]` is the i-th of them, put back on its line here.
      const sent = v.items.flatMap((item, index) => (item.article_id ? [index] : []));
      const fields = [...FIELDS, ...sent.map((_, i) => `items[${i}].quantity`), "items"];
      setFormError(
        showProblem(
          error,
          (field, e) => {
            const line = /^items\[(\d+)\]\.quantity$/.exec(field);
            const name = line ? `items.${sent[Number(line[1])]}.quantity` : field.replace(/^(customer|billing_address)\./, "");
            setError(name as never, e);
          },
          fields,
        ),
      );
    }
  });

  return (
    <Card withBorder>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h4">
            {t("orders.customer")}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label={t("orders.customerName")} required {...register("name")} error={errors.name?.message} />
            <TextInput label={t("auth.email")} type="email" required {...register("email")} error={errors.email?.message} />
            <Controller
              control={control}
              name="language"
              render={({ field }) => (
                <Select
                  label={t("orders.language")}
                  data={[
                    { value: "de", label: "Deutsch" },
                    { value: "en", label: "English" },
                  ]}
                  value={field.value}
                  onChange={(v) => field.onChange(v ?? "de")}
                  allowDeselect={false}
                />
              )}
            />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label={t("orders.company")} {...register("company")} error={errors.company?.message} />
            <TextInput label={t("orders.street")} {...register("street")} error={errors.street?.message} />
            <Group grow>
              <TextInput label={t("orders.postalCode")} {...register("postal_code")} error={errors.postal_code?.message} />
              <TextInput label={t("orders.city")} {...register("city")} error={errors.city?.message} />
            </Group>
            <TextInput label={t("orders.country")} placeholder="DE" {...register("country")} error={errors.country?.message} />
          </SimpleGrid>
          <Title order={2} size="h4">
            {t("orders.items")}
          </Title>
          {lines.fields.map((line, index) => (
            <Group key={line.id} align="flex-end" wrap="nowrap">
              <Controller
                control={control}
                name={`items.${index}.article_id`}
                render={({ field }) => (
                  <Select
                    label={t("orders.article")}
                    data={articles}
                    value={field.value}
                    onChange={field.onChange}
                    searchable
                    style={{ flex: 1 }}
                  />
                )}
              />
              <Controller
                control={control}
                name={`items.${index}.quantity`}
                render={({ field }) => (
                  <NumberInput
                    label={t("orders.quantity")}
                    min={1}
                    max={1000}
                    w={110}
                    value={field.value}
                    onChange={(v) => field.onChange(Number(v) || 1)}
                    error={formState.errors.items?.[index]?.quantity?.message}
                  />
                )}
              />
              <ActionIcon
                variant="subtle"
                color="red"
                size="lg"
                aria-label={t("orders.removeLine")}
                disabled={lines.fields.length === 1}
                onClick={() => lines.remove(index)}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button
              variant="default"
              leftSection={<IconPlus size={16} />}
              onClick={() => lines.append({ article_id: articles[0]?.value ?? null, quantity: 1 })}
            >
              {t("orders.addLine")}
            </Button>
          </Group>
          <Controller
            control={control}
            name="status"
            render={({ field }) => (
              <Select
                label={t("orders.status")}
                w={220}
                data={[
                  { value: "open", label: t("status.open") },
                  { value: "paid", label: t("status.paid") },
                ]}
                value={field.value}
                onChange={(v) => field.onChange(v ?? "open")}
                allowDeselect={false}
              />
            )}
          />
          <FormError message={formError} />
          <Group>
            <Button type="submit" loading={formState.isSubmitting}>
              {t("orders.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
