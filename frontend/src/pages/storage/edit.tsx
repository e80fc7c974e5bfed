import { useEffect, useState } from "react";
import {
  Alert,
  Button,
  Card,
  Group,
  PasswordInput,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { IconCircleCheck, IconAlertTriangle } from "@tabler/icons-react";
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Controller, useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";

import { ConfirmButton } from "../../components/confirm-button";
import { FolderBrowser } from "../../components/folder-browser";
import { FormError, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { asProblem, describeProblem } from "../../lib/api/problem";
import type { components } from "../../lib/api/schema";
import { orNull, showProblem } from "../../lib/forms";
import { notify } from "../../lib/notify";
import { STORAGE_TESTS_DE, serverWords } from "../../locales/problems-de";
import { storageSchema } from "./storage-schema";

type Connection = components["schemas"]["StorageConnectionView"];
type TestResult = components["schemas"]["ConnectionTestResult"];

/** The test's result in the dashboard's language (the server's own words in English). */
function testWords(test: TestResult): string {
  return serverWords(STORAGE_TESTS_DE, test.code ?? "ok", test.message);
}

type Values = {
  kind: "s3" | "local";
  name: string;
  endpoint: string;
  bucket: string;
  region: string;
  root_prefix: string;
  path_style: boolean;
  access_key_id: string;
  secret_access_key: string;
};

const FIELDS = ["name", "endpoint", "bucket", "region", "root_prefix", "path_style", "access_key_id", "secret_access_key"];

function initial(c?: Connection): Values {
  return {
    kind: c?.kind ?? "s3",
    name: c?.name ?? "",
    endpoint: c?.endpoint ?? "",
    bucket: c?.bucket ?? "",
    region: c?.region ?? "",
    root_prefix: c?.root_prefix ?? "",
    path_style: c?.path_style ?? false,
    access_key_id: "",
    secret_access_key: "",
  };
}

export function StorageEdit() {
  const { id } = useParams();
  const connection = useQuery({
    queryKey: ["storage-connections", id],
    queryFn: () => call(api.GET("/api/v1/storage-connections/{id}", { params: { path: { id: id! } } })),
    enabled: Boolean(id),
  });
  if (!id) return <ConnectionForm />;
  return <QueryState query={connection}>{(c) => <ConnectionForm connection={c} />}</QueryState>;
}

function ConnectionForm({ connection }: { connection?: Connection }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const [test, setTest] = useState<TestResult | null>(null);
  const { register, control, handleSubmit, setError, watch, reset, formState } = useForm<Values>({
    resolver: zodResolver(storageSchema(t, { creating: !connection })),
    defaultValues: initial(connection),
  });
  useEffect(() => reset(initial(connection)), [connection, reset]);
  const kind = watch("kind");
  const errors = formState.errors;

  const save = handleSubmit(async (v) => {
    setFormError(null);
    try {
      if (connection) {
        const credentials = v.access_key_id || v.secret_access_key;
        await call(
          api.PATCH("/api/v1/storage-connections/{id}", {
            params: { path: { id: connection.id } },
            body:
              connection.kind === "s3"
                ? {
                    name: v.name,
                    endpoint: v.endpoint,
                    bucket: v.bucket,
                    region: orNull(v.region),
                    root_prefix: v.root_prefix,
                    path_style: v.path_style,
                    ...(credentials ? { access_key_id: v.access_key_id, secret_access_key: v.secret_access_key } : {}),
                  }
                : { name: v.name, root_prefix: v.root_prefix },
          }),
        );
        notify(t("common.saved"));
        await queryClient.invalidateQueries({ queryKey: ["storage-connections"] });
      } else {
        const created = await call(
          api.POST("/api/v1/storage-connections", {
            body:
              v.kind === "s3"
                ? {
                    kind: "s3",
                    name: v.name,
                    endpoint: v.endpoint,
                    bucket: v.bucket,
                    region: orNull(v.region),
                    root_prefix: orNull(v.root_prefix),
                    path_style: v.path_style,
                    access_key_id: v.access_key_id,
                    secret_access_key: v.secret_access_key,
                  }
                : { kind: "local", name: v.name, root_prefix: orNull(v.root_prefix) },
          }),
        );
        await queryClient.invalidateQueries({ queryKey: ["storage-connections"] });
        void navigate(`/storage/${created.id}`, { replace: true });
      }
    } catch (error) {
      setFormError(showProblem(error, setError, FIELDS));
    }
  });

  const runTest = useMutation({
    mutationFn: () =>
      call(api.POST("/api/v1/storage-connections/{id}/test", { params: { path: { id: connection!.id } } })),
    onSuccess: (result) => {
      setTest(result);
      void queryClient.invalidateQueries({ queryKey: ["storage-connections"] });
    },
  });

  const remove = async () => {
    try {
      await call(api.DELETE("/api/v1/storage-connections/{id}", { params: { path: { id: connection!.id } } }));
      await queryClient.invalidateQueries({ queryKey: ["storage-connections"] });
      void navigate("/storage");
    } catch (error) {
      setFormError(showProblem(error, setError, []));
    }
  };

  const s3 = (connection?.kind ?? kind) === "s3";
  return (
    <Stack>
      <Title order={1}>{connection ? connection.name : t("storage.add")}</Title>
      <Card withBorder>
        <form onSubmit={save} noValidate>
          <Stack>
            {!connection && (
              <Controller
                control={control}
                name="kind"
                render={({ field }) => (
                  <SegmentedControl
                    aria-label={t("storage.kind")}
                    value={field.value}
                    onChange={(value) => field.onChange(value)}
                    data={[
                      { value: "s3", label: t("storage.s3") },
                      { value: "local", label: t("storage.localFolder") },
                    ]}
                  />
                )}
              />
            )}
            <TextInput label={t("storage.name")} required {...register("name")} error={errors.name?.message} />
            {s3 && (
              <>
                <TextInput
                  label={t("storage.endpoint")}
                  placeholder="https://s3.eu-central-1.amazonaws.com"
                  required
                  {...register("endpoint")}
                  error={errors.endpoint?.message}
                />
                <Group grow>
                  <TextInput label={t("storage.bucket")} required {...register("bucket")} error={errors.bucket?.message} />
                  <TextInput label={t("storage.region")} placeholder="us-east-1" {...register("region")} error={errors.region?.message} />
                </Group>
                <Controller
                  control={control}
                  name="path_style"
                  render={({ field }) => (
                    <Switch
                      label={t("storage.pathStyle")}
                      checked={field.value}
                      onChange={(e) => field.onChange(e.currentTarget.checked)}
                    />
                  )}
                />
                <Group grow>
                  <TextInput
                    label={t("storage.accessKey")}
                    required={!connection}
                    autoComplete="off"
                    description={connection?.credentials_set ? t("storage.keepCredentials") : undefined}
                    {...register("access_key_id")}
                    error={errors.access_key_id?.message}
                  />
                  <PasswordInput
                    label={t("storage.secretKey")}
                    required={!connection}
                    autoComplete="new-password"
                    {...register("secret_access_key")}
                    error={errors.secret_access_key?.message}
                  />
                </Group>
              </>
            )}
            <TextInput
              label={t("storage.rootPrefix")}
              description={t("storage.rootPrefixHelp")}
              {...register("root_prefix")}
              error={errors.root_prefix?.message}
            />
            {connection?.local_path && (
              <Text size="sm">
                {t("storage.folderOnServer")}: <code>{connection.local_path}</code>
              </Text>
            )}
            <FormError message={formError} />
            <Group justify="space-between">
              <Group>
                <Button type="submit" loading={formState.isSubmitting}>
                  {connection ? t("common.save") : t("storage.connect")}
                </Button>
                {connection && (
                  <Button variant="light" onClick={() => runTest.mutate()} loading={runTest.isPending}>
                    {t("storage.test")}
                  </Button>
                )}
              </Group>
              {connection && (
                <ConfirmButton question={t("storage.deleteQuestion")} confirmLabel={t("common.delete")} onConfirm={remove}>
                  {t("common.delete")}
                </ConfirmButton>
              )}
            </Group>
            {runTest.isError && <FormError message={describeProblem(asProblem(runTest.error))} />}
            {test && (
              <Alert
                color={test.ok ? "teal" : "red"}
                icon={test.ok ? <IconCircleCheck size={18} /> : <IconAlertTriangle size={18} />}
                title={test.ok ? t("storage.testOk") : t("storage.testFailed")}
                role="status"
              >
                {testWords(test)}{" "}
                {t("storage.filesChecked", { checked: test.files_checked, missing: test.files_missing })}
              </Alert>
            )}
          </Stack>
        </form>
      </Card>
      {connection && (
        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            {t("storage.browse")}
          </Title>
          <FolderBrowser connectionId={connection.id} />
        </Card>
      )}
    </Stack>
  );
}
