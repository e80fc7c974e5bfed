import type { components } from "../../lib/api/schema";

export type OrderStatus = components["schemas"]["OrderStatus"];

export const STATUSES: OrderStatus[] = ["open", "paid", "shipped", "completed", "cancelled", "refunded"];

// Mirrors the server's transitions to offer only possible changes; the
// server still decides (and explains a refusal).
const NEXT: Record<OrderStatus, OrderStatus[]> = {
  open: ["paid", "cancelled"],
  paid: ["shipped", "completed", "refunded", "cancelled"],
  shipped: ["completed", "refunded"],
  completed: ["refunded"],
  cancelled: [],
  refunded: [],
};

export function nextStatuses(status: OrderStatus): OrderStatus[] {
  return NEXT[status];
}

/** A final status that locks the downloads (and cancels an invoice): asked before applied. */
export function isFinalLock(status: string | null): boolean {
  return status === "cancelled" || status === "refunded";
}

export function statusColor(status: OrderStatus): string {
  switch (status) {
    case "open":
      return "blue";
    case "paid":
    case "shipped":
    case "completed":
      return "teal";
    default:
      return "red";
  }
}
