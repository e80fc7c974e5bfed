import { useState } from "react";
import { Alert, Button, Card, Code, CopyButton, Group, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { ConfirmButton } from "../../components/confirm-button";
import { Empty, FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { useCallAndRefresh } from "../../lib/api/refresh";
import { asProblem, describeProblem } from "../../lib/api/problem";
import { dateTime } from "../../lib/format";
import { language } from "../../lib/i18n";
import { Modal } from "../../components/modal";

export function ApiKeys() {
  const { t } = useTranslation();
  const lng = language();
  const callAndRefresh = useCallAndRefresh(["api-keys"]);
  const [name, setName] = useState("");
  const [scope, setScope] = useState<"read" | "read_write">("read_write");
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const keys = useQuery({ queryKey: ["api-keys"], queryFn: () => call(api.GET("/api/v1/api-keys")) });

  const create = async () => {
    setError(null);
    try {
      const created = await callAndRefresh(api.POST("/api/v1/api-keys", { body: { name, scope } }));
      setSecret(created.secret);
      setName("");
    } catch (e) {
      setError(describeProblem(asProblem(e)));
    }
  };

  return (
    <Stack>
      <Card withBorder>
        <Group align="flex-end">
          <TextInput label={t("apiKeys.name")} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Select
            label={t("apiKeys.scope")}
            value={scope}
            allowDeselect={false}
            onChange={(v) => setScope((v as "read" | "read_write") ?? "read_write")}
            data={[
              { value: "read_write", label: t("apiKeys.readWrite") },
              { value: "read", label: t("apiKeys.read") },
            ]}
          />
          <Button onClick={() => void create()} disabled={!name.trim()}>
            {t("apiKeys.create")}
          </Button>
        </Group>
        <FormError message={error} />
      </Card>
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
