import { useState } from "react";
import { Anchor, Button, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useNavigate } from "react-router";
import { z } from "zod";

import { FormError } from "../components/states";
import { useAuth } from "../lib/auth";
import { showProblem } from "../lib/forms";
import { AuthFrame } from "./sign-in";

type Values = { shop_name: string; email: string; password: string };

export function SignUp() {
  const { t } = useTranslation();
  const { status, signUp } = useAuth();
  const navigate = useNavigate();
  const [formError, setFormError] = useState<string | null>(null);
  const schema = z.object({
    shop_name: z.string().trim().min(1, t("validation.required")).max(100, t("validation.tooLong", { max: 100 })),
    email: z.email(t("validation.email")),
    password: z.string().min(10, t("auth.passwordRule")),
  });
  const { register, handleSubmit, setError, formState } = useForm<Values>({ resolver: zodResolver(schema) });
  const errors = formState.errors;

  if (status === "signed-in") return <Navigate to="/" replace />;

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await signUp(values.shop_name, values.email, values.password);
      void navigate("/", { replace: true });
    } catch (error) {
      setFormError(showProblem(error, setError, ["shop_name", "email", "password"]));
    }
  });

  return (
    <AuthFrame title={t("auth.signUp")}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label={t("auth.shopName")}
            required
            {...register("shop_name")}
            error={errors.shop_name?.message}
          />
          <TextInput
            label={t("auth.email")}
            type="email"
            autoComplete="username"
            required
            {...register("email")}
            error={errors.email?.message}
          />
          <PasswordInput
            label={t("auth.password")}
            description={t("auth.passwordRule")}
            autoComplete="new-password"
            required
            {...register("password")}
            error={errors.password?.message}
          />
          <FormError message={formError} />
          <Button type="submit" loading={formState.isSubmitting}>
            {t("auth.createShop")}
          </Button>
          <Text size="sm">
            {t("auth.haveAccount")}{" "}
            <Anchor component={Link} to="/signin" underline="always">
              {t("auth.signIn")}
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthFrame>
  );
}
