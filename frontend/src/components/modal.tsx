import { Modal as MantineModal, type ModalProps } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** Mantine's modal with a named close button (screen readers say what it does). */
export function Modal(props: ModalProps) {
  const { t } = useTranslation();
  return <MantineModal {...props} closeButtonProps={{ "aria-label": t("common.close"), ...props.closeButtonProps }} />;
}
