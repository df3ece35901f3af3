import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  TextInput,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { z } from "zod";
import { usePermission, type Contact } from "@/api";
import { confirmAction, EmptyRow, QueryState } from "@/components";
import { orDash } from "@/lib/format";
import { nullIfBlank, showFormError } from "@/lib/forms";
import { notifyError, notifySuccess } from "@/lib/notify";
import { useContacts, useDeleteContact, useSaveContact } from "../api";
import { CONTACT_TYPES } from "../constants";

const schema = z.object({
  contact_firstname: z.string().trim().min(1, "Enter a first name"),
  contact_lastname: z.string(),
  contact_email: z.union([z.literal(""), z.email("Enter a valid email")]),
  contact_phone: z
    .string()
    .trim()
    .regex(/^[+\d\s().-]*$/, "Use digits, spaces and an optional leading +"),
  contact_types: z.array(z.enum(CONTACT_TYPES)),
});
type Values = z.infer<typeof schema>;

function ContactForm({ customerId, contact, onDone }: { customerId: number; contact?: Contact; onDone: () => void }) {
  const save = useSaveContact(customerId);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: {
      contact_firstname: contact?.contact_firstname ?? "",
      contact_lastname: contact?.contact_lastname ?? "",
      contact_email: contact?.contact_email ?? "",
      contact_phone: contact?.contact_phone ?? "",
      contact_types: contact?.contact_types ?? [],
    },
    validate: zod4Resolver(schema),
  });
  const submit = form.onSubmit((v) =>
    save.mutate(
      {
        contactId: contact?.contact_id,
        body: {
          contact_firstname: v.contact_firstname.trim(),
          contact_lastname: v.contact_lastname.trim(),
          contact_email: nullIfBlank(v.contact_email),
          contact_phone: nullIfBlank(v.contact_phone),
          contact_types: v.contact_types,
        },
      },
      {
        onSuccess: () => {
          notifySuccess(contact ? "Contact saved." : "Contact added.");
          onDone();
        },
        onError: (e) => showFormError(form, e),
      },
    ),
  );
  return (
    <form onSubmit={submit} noValidate data-testid="contact-form">
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="First name"
            required
            data-autofocus
            data-testid="contact-firstname"
            {...form.getInputProps("contact_firstname")}
          />
          <TextInput label="Last name" data-testid="contact-lastname" {...form.getInputProps("contact_lastname")} />
          <TextInput label="Email" type="email" data-testid="contact-email" {...form.getInputProps("contact_email")} />
          <TextInput label="Phone" type="tel" data-testid="contact-phone" {...form.getInputProps("contact_phone")} />
        </SimpleGrid>
        <Checkbox.Group label="Contact for" {...form.getInputProps("contact_types")}>
          <Group mt="xs">
            {CONTACT_TYPES.map((t) => (
              <Checkbox key={t} value={t} label={t} />
            ))}
          </Group>
        </Checkbox.Group>
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending} data-testid="contact-submit">
            {contact ? "Save contact" : "Add contact"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function ContactsTab({ customerId }: { customerId: number }) {
  const contacts = useContacts(customerId);
  const remove = useDeleteContact(customerId);
  const canWrite = usePermission("customer.write");
  // undefined: closed; null: adding; a contact: editing it.
  const [editing, setEditing] = useState<Contact | null | undefined>(undefined);

  return (
    <Card withBorder radius="md" padding="lg">
      {canWrite && (
        <Group justify="flex-end" mb="md">
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing(null)} data-testid="contact-new">
            Add contact
          </Button>
        </Group>
      )}
      <QueryState query={contacts}>
        {({ items }) => (
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing="sm" data-testid="contacts-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Phone</Table.Th>
                  <Table.Th>Contact for</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.length === 0 && <EmptyRow colSpan={5}>No contacts yet</EmptyRow>}
                {items.map((c) => (
                  <Table.Tr key={c.contact_id}>
                    <Table.Td>{[c.contact_firstname, c.contact_lastname].filter(Boolean).join(" ")}</Table.Td>
                    <Table.Td>{orDash(c.contact_email)}</Table.Td>
                    <Table.Td>{orDash(c.contact_phone)}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {c.contact_types.map((t) => (
                          <Badge key={t} size="sm" variant="light">
                            {t}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      {canWrite && (
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <ActionIcon variant="subtle" aria-label="Edit contact" onClick={() => setEditing(c)}>
                            <IconPencil size={16} />
                          </ActionIcon>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label="Delete contact"
                            onClick={() =>
                              confirmAction({
                                title: "Delete contact?",
                                message: `${c.contact_firstname} ${c.contact_lastname ?? ""} will be removed from this customer.`,
                                confirmLabel: "Delete",
                                onConfirm: () =>
                                  remove.mutate(c.contact_id, {
                                    onSuccess: () => notifySuccess("Contact deleted."),
                                    onError: (e) => notifyError(e),
                                  }),
                              })
                            }
                          >
                            <IconTrash size={16} />
                          </ActionIcon>
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      <Modal
        opened={editing !== undefined}
        onClose={() => setEditing(undefined)}
        title={editing ? "Edit contact" : "Add contact"}
        size="lg"
      >
        {editing !== undefined && (
          <ContactForm customerId={customerId} contact={editing ?? undefined} onDone={() => setEditing(undefined)} />
        )}
      </Modal>
    </Card>
  );
}
