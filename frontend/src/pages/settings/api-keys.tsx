import { useState } from "react";
import { Alert, Button, Card, Code, CopyButton, Group, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery } from "@tanstack/react-query";
import { Controller, useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";

import { ConfirmButton } from "../../components/confirm-button";
import { Empty, FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { useCallAndRefresh } from "../../lib/api/refresh";
import { dateTime } from "../../lib/format";
import { showProblem } from "../../lib/forms";
import { language } from "../../lib/i18n";
import { Modal } from "../../components/modal";
import { apiKeySchema } from "./api-key-schema";

type Values = { name: string; scope: "read" | "read_write" };

const FIELDS = ["name", "scope"];

export function ApiKeys() {
  const { t } = useTranslation();
  const lng = language();
  const callAndRefresh = useCallAndRefresh(["api-keys"]);
  const [secret, setSecret] = useState<string | null>(null);
  const keys = useQuery({ queryKey: ["api-keys"], queryFn: () => call(api.GET("/api/v1/api-keys")) });

  return (
    <Stack>
      <CreateKeyForm onCreated={setSecret} />
      <QueryState query={keys}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty>{t("apiKeys.none")}</Empty>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("apiKeys.name")}</Table.Th>
                    <Table.Th>{t("apiKeys.prefix")}</Table.Th>
                    <Table.Th>{t("apiKeys.scope")}</Table.Th>
                    <Table.Th>{t("apiKeys.lastUsed")}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((k) => (
                    <Table.Tr key={k.id}>
                      <Table.Td>{k.name}</Table.Td>
                      <Table.Td>
                        <Code>{k.prefix}…</Code>
                      </Table.Td>
                      <Table.Td>{k.scope === "read" ? t("apiKeys.read") : t("apiKeys.readWrite")}</Table.Td>
                      <Table.Td>{dateTime(k.last_used_at, lng)}</Table.Td>
                      <Table.Td>
                        <ConfirmButton
                          size="xs"
                          question={t("apiKeys.revokeQuestion", { name: k.name })}
                          confirmLabel={t("apiKeys.revoke")}
                          onConfirm={() =>
                            callAndRefresh(api.DELETE("/api/v1/api-keys/{id}", { params: { path: { id: k.id } } }))
                          }
                        >
                          {t("apiKeys.revoke")}
                        </ConfirmButton>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <Modal opened={secret !== null} onClose={() => setSecret(null)} title={t("apiKeys.created")}>
        <Stack>
          <Alert color="yellow">{t("apiKeys.onlyOnce")}</Alert>
          <Code block data-testid="api-key-secret">
            {secret}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={secret ?? ""}>
              {({ copied, copy }) => <Button onClick={copy}>{copied ? t("numbers.copied") : t("numbers.copy")}</Button>}
            </CopyButton>
            <Button variant="default" onClick={() => setSecret(null)}>
              {t("common.close")}
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            Authorization: Bearer …
          </Text>
        </Stack>
      </Modal>
    </Stack>
  );
}

/** A new key; its secret goes to `onCreated`, to be shown once. */
function CreateKeyForm({ onCreated }: { onCreated: (secret: string) => void }) {
  const { t } = useTranslation();
  const callAndRefresh = useCallAndRefresh(["api-keys"]);
  const [formError, setFormError] = useState<string | null>(null);
  const { register, control, handleSubmit, setError, reset, formState } = useForm<Values>({
    resolver: zodResolver(apiKeySchema(t)),
    defaultValues: { name: "", scope: "read_write" },
  });

  const create = handleSubmit(async (v) => {
    setFormError(null);
    try {
      const created = await callAndRefresh(api.POST("/api/v1/api-keys", { body: v }));
      // The next key most likely has the same scope; only the name is new.
      reset({ name: "", scope: v.scope });
      onCreated(created.secret);
    } catch (error) {
      setFormError(showProblem(error, setError, FIELDS));
    }
  });

  return (
    <Card withBorder>
      <form onSubmit={create} noValidate>
        <Group align="flex-end">
          <TextInput label={t("apiKeys.name")} {...register("name")} error={formState.errors.name?.message} />
          <Controller
            control={control}
            name="scope"
            render={({ field }) => (
              <Select
                label={t("apiKeys.scope")}
                value={field.value}
                allowDeselect={false}
                onChange={(v) => field.onChange(v ?? "read_write")}
                error={formState.errors.scope?.message}
                data={[
                  { value: "read_write", label: t("apiKeys.readWrite") },
                  { value: "read", label: t("apiKeys.read") },
                ]}
              />
            )}
          />
          <Button type="submit" loading={formState.isSubmitting}>
            {t("apiKeys.create")}
          </Button>
        </Group>
        <FormError message={formError} />
      </form>
    </Card>
  );
}
