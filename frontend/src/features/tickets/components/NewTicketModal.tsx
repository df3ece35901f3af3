import {
  Alert,
  Button,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertTriangle } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { z } from "zod";
import { isApiError, usePermission } from "@/api";
import { CustomerSelect } from "@/features/customers";
import { useServices } from "@/features/services";
import { nullIfBlank, withoutNulls } from "@/lib/forms";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useCreateTicket, type TicketCreate, type TicketDetail } from "../api";
import { TAG_RE, TICKET_PRIORITIES, TICKET_PRIORITY_LABELS } from "../constants";
import { AssigneeSelect } from "./AssigneeSelect";

const schema = z.object({
  customer_id: z
    .number()
    .nullable()
    .refine((id) => id !== null, "Choose the customer"),
  subject: z.string().trim().min(1, "A subject is required").max(200, "At most 200 characters"),
  description: z.string().max(20_000, "At most 20,000 characters"),
  priority: z.enum(TICKET_PRIORITIES),
  category: z.string().trim().max(50, "At most 50 characters"),
  team: z.string().trim().max(50, "At most 50 characters"),
  tags: z
    .array(z.string())
    .max(20, "At most 20 tags")
    .refine(
      (tags) => tags.every((tag) => TAG_RE.test(tag)),
      "Tags are lower-case letters, digits and -, at most 32 characters",
    ),
  service_id: z.string().nullable(),
  assignee_user_id: z.number().nullable(),
  customer_visible: z.boolean(),
});
type Values = z.input<typeof schema>;

const FIELDS = Object.keys(schema.shape);

/** The request the form makes: blanks left out (the API's defaults), text trimmed. */
export function createBody(values: Values): TicketCreate {
  return withoutNulls({
    customer_id: values.customer_id as number,
    subject: values.subject.trim(),
    description: values.description.trim() ? values.description : null,
    priority: values.priority,
    category: nullIfBlank(values.category),
    team: nullIfBlank(values.team),
    tags: values.tags.length ? values.tags : null,
    service_id: values.service_id ? Number(values.service_id) : null,
    assignee_user_id: values.assignee_user_id,
    customer_visible: values.customer_visible,
  });
}

/** The customer's services (with `service.read`), to name the one the ticket is about. */
function ServiceSelect({
  customerId,
  ...input
}: {
  customerId: number | null;
  value: string | null;
  onChange: (value: string | null) => void;
  error?: string;
}) {
  const canRead = usePermission("service.read");
  const services = useServices(
    { customer_id: customerId ?? undefined, page_size: 100 },
    canRead && customerId !== null,
  );
  if (!canRead) return null;
  return (
    <Select
      label="Service"
      description={customerId === null ? "Choose the customer first" : "Optional: the service it is about"}
      placeholder={services.isFetching ? "Loading…" : "None"}
      data={(customerId === null ? [] : (services.data?.items ?? [])).map((s) => ({
        value: String(s.service_id),
        label: `${s.service_name} (#${s.service_id})`,
      }))}
      disabled={customerId === null}
      clearable
      searchable
      nothingFoundMessage="The customer has no services"
      data-testid="ticket-new-service"
      {...input}
    />
  );
}

interface FormProps {
  customerId?: number;
  onDone: (ticket: TicketDetail) => void;
  onCancel: () => void;
}

function NewTicketForm({ customerId, onDone, onCancel }: FormProps) {
  const create = useCreateTicket();
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: {
      customer_id: customerId ?? null,
      subject: "",
      description: "",
      priority: "normal",
      category: "",
      team: "",
      tags: [],
      service_id: null,
      assignee_user_id: null,
      customer_visible: true,
    },
    validate: zod4Resolver(schema),
  });

  const submit = form.onSubmit((values) => {
    setFailure(null);
    create.mutate(createBody(values), {
      onSuccess: (ticket) => {
        notifySuccess(`Ticket #${ticket.ticket_id} opened: ${ticket.subject}.`);
        onDone(ticket);
      },
      onError: (error) => {
        // 422: a service not the customer's, an assignee who cannot work tickets, a bad tag
        // ("tags.0"): under the input it is about; anything else above the form.
        const fields = isApiError(error)
          ? Object.entries(error.fieldErrors)
              .map(([path, message]) => [path.split(".")[0], message] as const)
              .filter(([field]) => FIELDS.includes(field))
          : [];
        if (fields.length) form.setErrors(Object.fromEntries(fields));
        if (!fields.length || (isApiError(error) && fields.length < Object.keys(error.fieldErrors).length)) {
          setFailure(errorMessage(error));
        }
      },
    });
  });

  const customer = form.getValues().customer_id;
  const customerProps = form.getInputProps("customer_id");

  return (
    <form onSubmit={submit} noValidate data-testid="ticket-new-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="ticket-new-error">
            {failure}
          </Alert>
        )}
        <CustomerSelect
          label="Customer"
          required
          value={customer}
          onChange={(id) => {
            form.setFieldValue("customer_id", id);
            form.setFieldValue("service_id", null);
          }}
          error={customerProps.error as string | undefined}
          disabled={customerId !== undefined}
          testId="ticket-new-customer"
        />
        <TextInput
          label="Subject"
          required
          maxLength={200}
          data-autofocus
          data-testid="ticket-new-subject"
          {...form.getInputProps("subject")}
        />
        <Textarea
          label="Description"
          autosize
          minRows={3}
          maxRows={10}
          data-testid="ticket-new-description"
          {...form.getInputProps("description")}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Priority"
            description="Sets the due time (the SLA)"
            data={TICKET_PRIORITIES.map((p) => ({ value: p, label: TICKET_PRIORITY_LABELS[p] }))}
            allowDeselect={false}
            data-testid="ticket-new-priority"
            {...form.getInputProps("priority")}
          />
          <TextInput
            label="Category"
            description="Optional, e.g. billing, outage"
            maxLength={50}
            data-testid="ticket-new-category"
            {...form.getInputProps("category")}
          />
          <TextInput
            label="Team"
            description="Optional: the team that works it"
            maxLength={50}
            data-testid="ticket-new-team"
            {...form.getInputProps("team")}
          />
          <AssigneeSelect
            value={form.getValues().assignee_user_id}
            onChange={(id) => form.setFieldValue("assignee_user_id", id)}
            description="Optional: who works it"
            error={form.getInputProps("assignee_user_id").error as string | undefined}
            testId="ticket-new-assignee"
          />
        </SimpleGrid>
        <TagsInput
          label="Tags"
          description="Lower-case letters, digits and -; Enter after each"
          clearable
          {...form.getInputProps("tags")}
          onChange={(tags) => form.setFieldValue("tags", [...new Set(tags.map((t) => t.trim().toLowerCase()))])}
          data-testid="ticket-new-tags"
        />
        <Switch
          label="The customer sees it"
          description="E-mailed when it is opened, replied to and closed. Off: an internal ticket (notes only)."
          {...form.getInputProps("customer_visible", { type: "checkbox" })}
          data-testid="ticket-new-customer-visible"
        />
        <ServiceSelect
          customerId={customer}
          value={form.getValues().service_id}
          onChange={(id) => form.setFieldValue("service_id", id)}
          error={form.getInputProps("service_id").error as string | undefined}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} data-testid="ticket-new-submit">
            Open ticket
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface NewTicketModalProps {
  opened: boolean;
  onClose: () => void;
  /** Prefilled (and fixed) when opened from the customer's page. */
  customerId?: number;
  onCreated?: (ticket: TicketDetail) => void;
}

/** Open a ticket: customer, subject, description, priority, category, team, tags, service, assignee. */
export function NewTicketModal({ opened, onClose, customerId, onCreated }: NewTicketModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="New ticket" size="lg">
      {opened && (
        <NewTicketForm
          customerId={customerId}
          onCancel={onClose}
          onDone={(ticket) => {
            onCreated?.(ticket);
            onClose();
          }}
        />
      )}
    </Modal>
  );
}
