import { useState } from "react";
import { Anchor, Breadcrumbs, Button, Group, Stack, Table, Text } from "@mantine/core";
import { IconFile, IconFolder } from "@tabler/icons-react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { api } from "../lib/api/client";
import { call } from "../lib/api/call";
import { bytes, dateTime } from "../lib/format";
import { language } from "../lib/i18n";
import { Empty, ErrorState, Loading } from "./states";

type Props = {
  connectionId: string;
  /** With it, each file gets a button that picks it. */
  onPick?: (key: string, name: string) => void;
  pickLabel?: string;
};

/** Browses a connection's special folder: folders to open, files to see or pick. */
export function FolderBrowser({ connectionId, onPick, pickLabel }: Props) {
  const { t } = useTranslation();
  const lng = language();
  const [prefix, setPrefix] = useState("");
  const listing = useInfiniteQuery({
    queryKey: ["objects", connectionId, prefix],
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/storage-connections/{id}/objects", {
          params: { path: { id: connectionId }, query: { prefix, cursor: pageParam ?? undefined } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });

  const parts = prefix.split("/").filter(Boolean);
  const crumbs = [
    <Anchor key="root" component="button" type="button" onClick={() => setPrefix("")}>
      {t("storage.root")}
    </Anchor>,
    ...parts.map((part, i) => (
      <Anchor key={i} component="button" type="button" onClick={() => setPrefix(`${parts.slice(0, i + 1).join("/")}/`)}>
        {part}
      </Anchor>
    )),
  ];

  if (listing.isPending) return <Loading />;
  if (listing.isError) return <ErrorState error={listing.error} retry={() => void listing.refetch()} />;
  const folders = listing.data.pages.flatMap((p) => p.folders);
  const files = listing.data.pages.flatMap((p) => p.files);

  return (
    <Stack gap="xs">
      <Breadcrumbs>{crumbs}</Breadcrumbs>
      {folders.length === 0 && files.length === 0 ? (
        <Empty>{t("storage.emptyFolder")}</Empty>
      ) : (
        <Table.ScrollContainer minWidth={480}>
          <Table>
            <Table.Tbody>
              {folders.map((folder) => (
                <Table.Tr key={folder}>
                  <Table.Td colSpan={onPick ? 4 : 3}>
                    <Anchor component="button" type="button" onClick={() => setPrefix(folder)}>
                      <Group gap={6} wrap="nowrap">
                        <IconFolder size={16} aria-hidden />
                        {folder.slice(prefix.length)}
                      </Group>
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
              {files.map((file) => (
                <Table.Tr key={file.key}>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <IconFile size={16} aria-hidden />
                      <Text size="sm">{file.name}</Text>
                    </Group>
                  </Table.Td>
                  <Table.Td>{bytes(file.size, lng)}</Table.Td>
                  <Table.Td>{dateTime(file.last_modified, lng)}</Table.Td>
                  {onPick && (
                    <Table.Td>
                      <Button size="xs" variant="light" onClick={() => onPick(file.key, file.name)} aria-label={`${pickLabel} ${file.name}`}>
                        {pickLabel}
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {listing.hasNextPage && (
        <Button variant="default" size="xs" onClick={() => void listing.fetchNextPage()} loading={listing.isFetchingNextPage}>
          {t("common.loadMore")}
        </Button>
      )}
    </Stack>
  );
}
