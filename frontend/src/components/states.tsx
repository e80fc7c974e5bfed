import type { ReactNode } from "react";
import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconInbox } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { UseQueryResult } from "@tanstack/react-query";

import { asProblem, describeProblem } from "../lib/api/problem";

export function Loading() {
  const { t } = useTranslation();
  return (
    <Center py="xl" role="status" aria-label={t("common.loading")}>
      <Loader size="sm" />
    </Center>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} />} title={t("common.error")} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{describeProblem(asProblem(error))}</Text>
        {retry && (
          <Button size="xs" variant="light" color="red" onClick={retry}>
            {t("common.retry")}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Center py="xl">
      <Stack align="center" gap={4}>
        <IconInbox size={28} stroke={1.5} aria-hidden />
        <Text c="dimmed" size="sm">
          {children}
        </Text>
      </Stack>
    </Center>
  );
}

/** Loading, error or the data. */
export function QueryState<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}

/** A form-level error (what no field shows). */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Alert color="red" role="alert" icon={<IconAlertTriangle size={18} />}>
      {message}
    </Alert>
  );
}
