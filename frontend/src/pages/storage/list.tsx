import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Empty, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { dateTime } from "../../lib/format";
import { language } from "../../lib/i18n";

export function StorageList() {
  const { t } = useTranslation();
  const lng = language();
  const connections = useQuery({
    queryKey: ["storage-connections"],
    queryFn: () => call(api.GET("/api/v1/storage-connections")),
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t("storage.title")}</Title>
        <Button component={Link} to="/storage/new" leftSection={<IconPlus size={16} />}>
          {t("storage.add")}
        </Button>
      </Group>
      <Text c="dimmed" size="sm">
        {t("storage.intro")}
      </Text>
      <QueryState query={connections}>
        {(list) =>
          list.items.length === 0 ? (
            <Empty>{t("storage.none")}</Empty>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("storage.name")}</Table.Th>
                    <Table.Th>{t("storage.kind")}</Table.Th>
                    <Table.Th>{t("storage.where")}</Table.Th>
                    <Table.Th>{t("storage.lastCheck")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.items.map((c) => (
                    <Table.Tr key={c.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/storage/${c.id}`}>
                          {c.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light">{c.kind === "s3" ? "S3" : t("storage.local")}</Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" style={{ wordBreak: "break-all" }}>
                          {c.kind === "s3" ? `${c.endpoint ?? ""} / ${c.bucket ?? ""}/${c.root_prefix}` : c.local_path}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {c.last_check_error ? (
                          <Text size="sm" c="red">
                            {c.last_check_error}
                          </Text>
                        ) : (
                          dateTime(c.last_checked_at, lng)
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Stack>
  );
}
