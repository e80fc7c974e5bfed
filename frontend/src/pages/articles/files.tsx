import { useState } from "react";
import { ActionIcon, Badge, Button, Card, Group, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconCheck, IconGripVertical, IconPencil, IconPlus, IconX } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type UniqueIdentifier,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";

import { ConfirmButton } from "../../components/confirm-button";
import { FolderBrowser } from "../../components/folder-browser";
import { Empty, FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { asProblem, describeProblem } from "../../lib/api/problem";
import type { components } from "../../lib/api/schema";
import { bytes } from "../../lib/format";
import { language } from "../../lib/i18n";
import { notify } from "../../lib/notify";
import { Modal } from "../../components/modal";
import { moveFile } from "./reorder";

type ArticleFile = components["schemas"]["ArticleFileView"];

/** The article's files: pick from the storage, reorder by dragging, rename, unlink. */
export function ArticleFiles({ articleId }: { articleId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [picking, setPicking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = ["articles", articleId, "files"];
  const files = useQuery({
    queryKey: key,
    queryFn: () => call(api.GET("/api/v1/articles/{id}/files", { params: { path: { id: articleId } } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["articles"] });
  const sensors = useSensors(
    useSensor(PointerSensor),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  const act = async (request: Promise<unknown>) => {
    setError(null);
    try {
      await request;
    } catch (e) {
      setError(describeProblem(asProblem(e)));
    }
    await refresh();
  };

  const onDragEnd = (event: DragEndEvent, items: ArticleFile[]) => {
    const moved = moveFile(items, String(event.active.id), event.over ? String(event.over.id) : null);
    if (!moved) return;
    // Show the new order at once; the server shifts the others.
    queryClient.setQueryData(key, { items: moved.items });
    void act(
      call(
        api.PATCH("/api/v1/articles/{id}/files/{file_id}", {
          params: { path: { id: articleId, file_id: String(event.active.id) } },
          body: { position: moved.position },
        }),
      ),
    );
  };

  // What a screen reader says while a file is moved: its name and place,
  // in the seller's language (the library's own words name internal ids).
  const announce = (items: ArticleFile[]): Announcements => {
    const name = (id: UniqueIdentifier) => items.find((f) => f.id === id)?.display_name ?? "";
    const place = (id: UniqueIdentifier) => ({ position: items.findIndex((f) => f.id === id) + 1, count: items.length });
    return {
      onDragStart: ({ active }) => t("files.dnd.picked", { name: name(active.id) }),
      onDragOver: ({ active, over }) =>
        over ? t("files.dnd.over", { name: name(active.id), ...place(over.id) }) : t("files.dnd.outside", { name: name(active.id) }),
      onDragEnd: ({ active, over }) =>
        over ? t("files.dnd.dropped", { name: name(active.id), ...place(over.id) }) : t("files.dnd.cancelled", { name: name(active.id) }),
      onDragCancel: ({ active }) => t("files.dnd.cancelled", { name: name(active.id) }),
    };
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          {t("files.title")}
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setPicking(true)}>
          {t("files.add")}
        </Button>
      </Group>
      <FormError message={error} />
      <QueryState query={files}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty>{t("files.none")}</Empty>
          ) : (
            <DndContext
              sensors={sensors}
              collisionDetection={closestCenter}
              onDragEnd={(e) => onDragEnd(e, items)}
              accessibility={{ announcements: announce(items), screenReaderInstructions: { draggable: t("files.dnd.instructions") } }}
            >
              <SortableContext items={items.map((f) => f.id)} strategy={verticalListSortingStrategy}>
                <Stack gap="xs" component="ol" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                  {items.map((file) => (
                    <FileRow key={file.id} articleId={articleId} file={file} act={act} />
                  ))}
                </Stack>
              </SortableContext>
            </DndContext>
          )
        }
      </QueryState>
      <Modal opened={picking} onClose={() => setPicking(false)} title={t("files.pick")} size="xl">
        <FilePicker
          onPick={async (connectionId, key) => {
            await act(
              call(
                api.POST("/api/v1/articles/{id}/files", {
                  params: { path: { id: articleId } },
                  body: { connection_id: connectionId, object_key: key },
                }),
              ),
            );
            notify(t("files.linked"));
            setPicking(false);
          }}
        />
      </Modal>
    </Stack>
  );
}

function FileRow({ articleId, file, act }: { articleId: string; file: ArticleFile; act: (p: Promise<unknown>) => Promise<void> }) {
  const { t } = useTranslation();
  const lng = language();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(file.display_name);
  const sortable = useSortable({ id: file.id });
  const path = { id: articleId, file_id: file.id };
  return (
    <Card
      withBorder
      padding="xs"
      component="li"
      ref={sortable.setNodeRef}
      style={{ transform: CSS.Transform.toString(sortable.transform), transition: sortable.transition }}
    >
      <Group wrap="nowrap" justify="space-between">
        <Group wrap="nowrap" gap="xs" style={{ minWidth: 0, flex: 1 }}>
          <ActionIcon variant="subtle" color="gray" aria-label={t("files.dragToReorder", { name: file.display_name })} {...sortable.attributes} {...sortable.listeners}>
            <IconGripVertical size={16} />
          </ActionIcon>
          {editing ? (
            <Group wrap="nowrap" gap={4} style={{ flex: 1 }}>
              <TextInput
                aria-label={t("files.displayName")}
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                style={{ flex: 1 }}
              />
              <ActionIcon
                aria-label={t("common.save")}
                onClick={async () => {
                  await act(call(api.PATCH("/api/v1/articles/{id}/files/{file_id}", { params: { path }, body: { display_name: name } })));
                  setEditing(false);
                }}
              >
                <IconCheck size={16} />
              </ActionIcon>
              <ActionIcon variant="subtle" color="gray" aria-label={t("common.cancel")} onClick={() => setEditing(false)}>
                <IconX size={16} />
              </ActionIcon>
            </Group>
          ) : (
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Text size="sm" fw={500} truncate>
                {file.display_name}
              </Text>
              <Text size="xs" c="dimmed" truncate>
                {file.object_key} · {bytes(file.size, lng)} · {file.content_type ?? t("files.unknownType")}
              </Text>
            </Stack>
          )}
          {file.missing && <Badge color="red">{t("files.missing")}</Badge>}
        </Group>
        {!editing && (
          <Group gap={4} wrap="nowrap">
            <ActionIcon variant="subtle" aria-label={t("files.rename", { name: file.display_name })} onClick={() => setEditing(true)}>
              <IconPencil size={16} />
            </ActionIcon>
            <ConfirmButton
              size="xs"
              question={t("files.unlinkQuestion", { name: file.display_name })}
              confirmLabel={t("files.unlink")}
              onConfirm={() => act(call(api.DELETE("/api/v1/articles/{id}/files/{file_id}", { params: { path } })))}
            >
              {t("files.unlink")}
            </ConfirmButton>
          </Group>
        )}
      </Group>
    </Card>
  );
}

function FilePicker({ onPick }: { onPick: (connectionId: string, key: string) => void }) {
  const { t } = useTranslation();
  const connections = useQuery({
    queryKey: ["storage-connections"],
    queryFn: () => call(api.GET("/api/v1/storage-connections")),
  });
  const [connectionId, setConnectionId] = useState<string | null>(null);
  return (
    <QueryState query={connections}>
      {(list) => {
        const chosen = connectionId ?? list.items[0]?.id ?? null;
        return list.items.length === 0 ? (
          <Empty>{t("storage.none")}</Empty>
        ) : (
          <Stack>
            <Select
              label={t("files.connection")}
              data={list.items.map((c) => ({ value: c.id, label: c.name }))}
              value={chosen}
              onChange={setConnectionId}
              allowDeselect={false}
            />
            {chosen && <FolderBrowser connectionId={chosen} onPick={(key) => onPick(chosen, key)} pickLabel={t("files.link")} />}
          </Stack>
        );
      }}
    </QueryState>
  );
}
