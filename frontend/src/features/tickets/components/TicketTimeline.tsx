import { ActionIcon, Badge, Group, Text, Timeline, Tooltip } from "@mantine/core";
import { IconArrowRight, IconDownload, IconLock, IconMail, IconPaperclip, IconPlayerPlay } from "@tabler/icons-react";
import { useState, type ReactNode } from "react";
import { formatDateTime } from "@/lib/format";
import { notifyError } from "@/lib/notify";
import { downloadAttachment, type TicketAction, type TicketAttachment, type TicketDetail } from "../api";
import { TICKET_ACTION_LABELS } from "../constants";
import { TicketStatusBadge } from "./Badges";

export type EntryKind = "transition" | "note" | "reply" | "attachment";

interface Entry {
  key: string;
  kind: EntryKind;
  at: string;
  /** Ties (same instant) read in the order things happen: a move, a file, then a comment. */
  rank: number;
  id: number;
}

/** Transitions, comments and attachments merged, oldest first. */
export function timelineOf(ticket: Pick<TicketDetail, "transitions" | "comments" | "attachments">): Entry[] {
  const entries: Entry[] = [
    ...ticket.transitions.map((t) => ({
      key: `transition-${t.transition_id}`,
      kind: "transition" as const,
      at: t.created_at,
      rank: 0,
      id: t.transition_id,
    })),
    ...ticket.attachments.map((a) => ({
      key: `attachment-${a.attachment_id}`,
      kind: "attachment" as const,
      at: a.created_at,
      rank: 1,
      id: a.attachment_id,
    })),
    ...ticket.comments.map((c) => ({
      key: `comment-${c.comment_id}`,
      kind: c.internal ? ("note" as const) : ("reply" as const),
      at: c.created_at,
      rank: 2,
      id: c.comment_id,
    })),
  ];
  const time = (at: string) => new Date(at).getTime() || 0;
  return entries.sort((a, b) => time(a.at) - time(b.at) || a.rank - b.rank || a.id - b.id);
}

/** "1.2 MB", "340 KB", "12 B". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function AttachmentDownload({ ticketId, attachment }: { ticketId: number; attachment: TicketAttachment }) {
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      await downloadAttachment(ticketId, attachment);
    } catch (error) {
      notifyError(error, `Could not download ${attachment.filename}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Tooltip label={`Download ${attachment.filename}`}>
      <ActionIcon
        variant="subtle"
        size="sm"
        aria-label={`Download ${attachment.filename}`}
        loading={busy}
        onClick={() => void download()}
        data-testid="ticket-attachment-download"
        data-attachment-id={attachment.attachment_id}
      >
        <IconDownload size={14} />
      </ActionIcon>
    </Tooltip>
  );
}

const meta = (parts: (string | null | false)[]) => (
  <Text size="xs" c="dimmed">
    {parts.filter(Boolean).join(" · ")}
  </Text>
);

interface TicketTimelineProps {
  ticket: TicketDetail;
  /** A user id as a name ("Ada Lovelace", "User #4"). */
  userName: (userId: number | null, nobody?: string) => string;
}

/** What happened to the ticket: moves, internal notes, replies sent to the customer, files; oldest first. */
export function TicketTimeline({ ticket, userName }: TicketTimelineProps) {
  const transitions = new Map(ticket.transitions.map((t) => [t.transition_id, t]));
  const comments = new Map(ticket.comments.map((c) => [c.comment_id, c]));
  const attachments = new Map(ticket.attachments.map((a) => [a.attachment_id, a]));

  const render = (entry: Entry): { bullet: ReactNode; title: ReactNode; body: ReactNode } => {
    switch (entry.kind) {
      case "transition": {
        const t = transitions.get(entry.id)!;
        const opened = t.from_status === null;
        return {
          bullet: <IconPlayerPlay size={12} />,
          title: (
            <Group gap={6}>
              <Text size="sm" fw={500}>
                {opened ? "Opened" : (TICKET_ACTION_LABELS[t.action as TicketAction] ?? t.action)}
              </Text>
              {t.from_status && <TicketStatusBadge status={t.from_status} />}
              {t.from_status && <IconArrowRight size={14} />}
              <TicketStatusBadge status={t.to_status} />
            </Group>
          ),
          body: (
            <>
              {meta([formatDateTime(t.created_at), userName(t.user_id, "system")])}
              {t.reason && (
                <Text size="sm" data-testid="ticket-transition-reason">
                  {t.reason}
                </Text>
              )}
            </>
          ),
        };
      }
      case "note":
      case "reply": {
        const c = comments.get(entry.id)!;
        return {
          bullet: c.internal ? <IconLock size={12} /> : <IconMail size={12} />,
          title: (
            <Group gap={6}>
              <Text size="sm" fw={500}>
                {c.author_name ?? userName(c.author_user_id, "system")}
              </Text>
              {c.internal ? (
                <Badge size="sm" color="yellow" variant="light" data-testid="ticket-comment-kind">
                  Internal
                </Badge>
              ) : (
                <Badge size="sm" color="blue" variant="light" data-testid="ticket-comment-kind">
                  Sent to customer
                </Badge>
              )}
            </Group>
          ),
          body: (
            <>
              {meta([formatDateTime(c.created_at)])}
              <Text
                size="sm"
                style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}
                data-testid="ticket-comment-body-text"
              >
                {c.body}
              </Text>
            </>
          ),
        };
      }
      case "attachment": {
        const a = attachments.get(entry.id)!;
        return {
          bullet: <IconPaperclip size={12} />,
          title: (
            <Group gap={6} wrap="nowrap">
              <Text size="sm" fw={500} style={{ wordBreak: "break-all" }}>
                {a.filename}
              </Text>
              <AttachmentDownload ticketId={ticket.ticket_id} attachment={a} />
            </Group>
          ),
          body: meta([
            formatDateTime(a.created_at),
            userName(a.uploaded_by_user_id, "system"),
            `${formatSize(a.size)}, ${a.content_type}`,
          ]),
        };
      }
    }
  };

  const entries = timelineOf(ticket);
  return (
    <Timeline bulletSize={22} lineWidth={2} data-testid="ticket-timeline">
      {entries.map((entry) => {
        const { bullet, title, body } = render(entry);
        return (
          <Timeline.Item
            key={entry.key}
            bullet={bullet}
            title={title}
            color={entry.kind === "note" ? "yellow" : entry.kind === "reply" ? "blue" : undefined}
            data-testid="ticket-timeline-entry"
            data-kind={entry.kind}
          >
            {body}
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
