import { useState, type ReactNode } from "react";
import { Button, Group, Text, type ButtonProps } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Modal } from "./modal";

type Props = ButtonProps & {
  /** What the button says. */
  children: ReactNode;
  /** The question. */
  question: string;
  /** What confirming does. */
  confirmLabel: string;
  onConfirm: () => Promise<unknown> | void;
};

/** A button for a destructive action: it asks first. */
export function ConfirmButton({ children, question, confirmLabel, onConfirm, ...button }: Props) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <Button color="red" variant="light" {...button} onClick={() => setOpen(true)}>
        {children}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t("common.areYouSure")} centered>
        <Text size="sm">{question}</Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setOpen(false)}>
            {t("common.cancel")}
          </Button>
          <Button
            color="red"
            loading={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await onConfirm();
                setOpen(false);
              } finally {
                setBusy(false);
              }
            }}
          >
            {confirmLabel}
          </Button>
        </Group>
      </Modal>
    </>
  );
}
