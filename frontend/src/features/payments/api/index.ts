export {
  downloadReceipt,
  useDunning,
  useOpenInvoices,
  usePayment,
  usePaymentDetails,
  usePayments,
  useRecordPayment,
  useRefundPayment,
} from "./payments";
export { paymentKeys } from "./keys";
export type * from "./types";
