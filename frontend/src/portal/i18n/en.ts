/** English texts of the customer portal. */
export const en = {
  languageName: "English",
  loading: "Loading your downloads…",
  orderNumber: "Order {number}",
  orderedOn: "ordered on {date}",
  download: "Download",
  downloading: "Preparing…",
  size: "{size}",
  left: "{left} of {max} downloads left",
  unlimited: "Unlimited downloads",
  until: "Available until {date}",
  noEnd: "No end date",
  noFiles: "This item has no files to download.",
  invoice: "Download invoice",
  contactTitle: "Questions? Write to the seller",
  yourEmail: "Your email",
  message: "Your message",
  send: "Send message",
  sending: "Sending…",
  sent: "Thank you! Your message has been sent to the seller.",
  supportSeller: "Seller support: {email}",
  supportOperator: "Platform support (if the seller does not answer): {email}",
  reasons: {
    download_limit_reached: "You have used all allowed downloads of this file. Please write to the seller if you need more.",
    download_expired: "The download period for this file ended on {date}.",
    order_not_paid: "Your order is not paid yet. The downloads unlock as soon as the payment arrives.",
    order_locked: "This order was cancelled or refunded; its downloads are locked.",
    file_missing: "This file is temporarily unavailable. Please try again later or write to the seller.",
    portal_disabled: "The download page is not available at the moment.",
    not_found: "This link is unknown or has been replaced. Please use the latest link from your email, or ask the seller for a new one.",
    rate_limited: "Too many attempts. Please wait a minute and try again.",
    validation_failed: "Please check your input.",
    generic: "Something went wrong. Please try again in a moment.",
  },
} as const;

export type Texts = {
  [K in keyof typeof en]: (typeof en)[K] extends string ? string : { [R in keyof (typeof en)[K]]: string };
};
