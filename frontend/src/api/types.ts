/**
 * Names for the shapes the UI uses, derived from the generated contract (`schema.d.ts`).
 *
 * Types are taken from operations rather than from component names, so a renamed marshmallow
 * schema in the backend only touches this file.
 */
import type { paths } from "./schema";

type Json<R> = R extends { content: { "application/json": infer T } } ? T : never;

/**
 * marshmallow dumps every declared field (null when empty) but flask-smorest does not mark
 * response properties as required, so the generated response types are all-optional. What the
 * server sends is complete: strip the optionality (not the nullability) from responses.
 */
export type Dumped<T> = T extends readonly (infer I)[]
  ? Dumped<I>[]
  : T extends Blob
    ? T
    : T extends object
      ? { [K in keyof T]-?: Dumped<T[K]> }
      : T;

/** The JSON body of a path+method's 2xx response, as the server sends it. */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? Dumped<Json<R[Extract<keyof R, 200 | 201>]>>
  : never;

/** The JSON request body of a path+method. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;

/** The query parameters of a path+method. */
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

type Item<T> = T extends readonly (infer I)[] ? I : T;

export type LoginRequest = BodyOf<"/crm/auth/login", "post">;
export type LoginResponse = ResponseOf<"/crm/auth/login", "post">;
export type TokenPair = ResponseOf<"/crm/auth/refresh", "post">;
export type Me = ResponseOf<"/crm/auth/me", "get">;
export type User = LoginResponse["user"];
export type TwoFactorSetup = ResponseOf<"/crm/auth/2fa/setup", "post">;
export type AuthSession = Item<ResponseOf<"/crm/auth/sessions", "get">>;

export type Customer = ResponseOf<"/crm/customer/{customer_id}", "get">;
export type CustomerCreate = BodyOf<"/crm/customer/", "post">;
export type CustomerUpdate = BodyOf<"/crm/customer/{customer_id}", "patch">;
export type CustomerListQuery = QueryOf<"/crm/customer/", "get">;
export type CustomerStatus = Customer["customer_status"];
export type CustomerPaymentType = Customer["customer_payment_type"];
export type CustomerAccountType = Customer["customer_account_type"];

export type Contact = Item<ResponseOf<"/crm/contact/", "get">>;
export type ContactCreate = BodyOf<"/crm/contact/", "post">;
export type ContactUpdate = BodyOf<"/crm/contact/{contact_id}", "patch">;
export type ContactType = Contact["contact_types"][number];

export type Site = Item<ResponseOf<"/crm/site/", "get">>;
export type SiteCreate = BodyOf<"/crm/site/", "post">;
export type SiteUpdate = BodyOf<"/crm/site/{site_id}", "patch">;

export type Activity = Item<ResponseOf<"/crm/activity/", "get">>;
export type ActivityListQuery = QueryOf<"/crm/activity/", "get">;
