export {
  CLOSED_SHOWN,
  COLUMN_PAGE_SIZE,
  downloadAttachment,
  placeOnBoard,
  useAddComment,
  useBoard,
  useCreateTicket,
  useTicket,
  useTicketAction,
  useTicketTransition,
  useTickets,
  useUpdateTicket,
  useUploadAttachment,
  type TransitionRequest,
} from "./tickets";
export { displayName, useStaffUsers, useUserNames } from "./users";
export { staffUsersKey, ticketKeys } from "./keys";
export type * from "./types";
