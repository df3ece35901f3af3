export {
  downloadReceipt,
  POLL_EVERY_MS,
  POLL_FOR_MS,
  useDunning,
  useOpenInvoices,
  usePayment,
  usePaymentDetails,
  usePaymentPoll,
  usePayments,
  useRecordPayment,
  useRefundPayment,
} from "./payments";
export {
  cardPaymentsKey,
  useCardSetup,
  useExpiringCards,
  useGateway,
  useMakeDefaultCard,
  useRemoveCard,
  useSaveCard,
  useSavedCards,
} from "./cards";
export {
  RECONCILIATION_POLL_MS,
  useReconciliation,
  useReconciliations,
  useStartReconciliation,
} from "./reconciliation";
export { cardKeys, gatewayKey, paymentKeys, reconciliationKeys } from "./keys";
export type * from "./types";
