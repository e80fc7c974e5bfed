import { useState } from "react";
import { Anchor, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useLocation, useNavigate } from "react-router";
import { z } from "zod";

import { LanguageSwitch } from "../components/layout";
import { FormError } from "../components/states";
import { useAuth } from "../lib/auth";
import { showProblem } from "../lib/forms";

type Values = { email: string; password: string };

/** The frame of the two pages before signing in. */
export function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={420} maw="100%" component="main">
        <Group justify="space-between" mb="md">
          <Title order={1} size="h2">
            {title}
          </Title>
          <LanguageSwitch />
        </Group>
        {children}
      </Paper>
    </Center>
  );
}

export function SignIn() {
  const { t } = useTranslation();
  const { status, signIn } = useAuth();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? "/";
  const [formError, setFormError] = useState<string | null>(null);
  const schema = z.object({
    email: z.string().trim().min(1, t("validation.required")),
    password: z.string().min(1, t("validation.required")),
  });
  const { register, handleSubmit, setError, formState } = useForm<Values>({ resolver: zodResolver(schema) });

  if (status === "signed-in") return <Navigate to={from} replace />;

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await signIn(values.email, values.password);
      void navigate(from, { replace: true });
    } catch (error) {
      setFormError(showProblem(error, setError, ["email", "password"]));
    }
  });

  return (
    <AuthFrame title={t("auth.signIn")}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label={t("auth.email")}
            type="email"
            autoComplete="username"
            required
            {...register("email")}
            error={formState.errors.email?.message}
          />
          <PasswordInput
            label={t("auth.password")}
            autoComplete="current-password"
            required
            {...register("password")}
            error={formState.errors.password?.message}
          />
          <FormError message={formError} />
          <Button type="submit" loading={formState.isSubmitting}>
            {t("auth.signIn")}
          </Button>
          <Text size="sm">
            {t("auth.noAccount")}{" "}
            <Anchor component={Link} to="/signup" underline="always">
              {t("auth.signUp")}
            </Anchor>
          </Text>
          <Text size="xs" c="dimmed">
            {t("auth.apiDocs")} <Anchor href="/api/docs/" underline="always">
              /api/docs
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthFrame>
  );
}
