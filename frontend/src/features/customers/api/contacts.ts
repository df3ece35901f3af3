/** Contacts of one customer. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrapPage, unwrap, type ContactCreate, type ContactUpdate } from "@/api";
import { customerKeys } from "./keys";

export function useContacts(customerId: number) {
  return useQuery({
    queryKey: customerKeys.contacts(customerId),
    queryFn: ({ signal }) =>
      unwrapPage(api.GET("/crm/contact/", { params: { query: { customer_id: customerId, page_size: 100 } }, signal })),
  });
}

export function useSaveContact(customerId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ contactId, body }: { contactId?: number; body: Omit<ContactCreate, "customer_id"> }) =>
      contactId === undefined
        ? unwrap(api.POST("/crm/contact/", { body: { ...body, customer_id: customerId } }))
        : unwrap(
            api.PATCH("/crm/contact/{contact_id}", {
              params: { path: { contact_id: contactId } },
              body: body as ContactUpdate,
            }),
          ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: customerKeys.contacts(customerId) }),
  });
}

export function useDeleteContact(customerId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (contactId: number) =>
      unwrap(api.DELETE("/crm/contact/{contact_id}", { params: { path: { contact_id: contactId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: customerKeys.contacts(customerId) }),
  });
}
