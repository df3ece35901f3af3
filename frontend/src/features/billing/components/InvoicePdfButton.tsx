import { ActionIcon, Button, Tooltip } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useState } from "react";
import { notifyError } from "@/lib/notify";
import { downloadInvoicePdf, type Invoice } from "../api";
import { invoiceLabel } from "../constants";

interface InvoicePdfButtonProps {
  invoice: Pick<Invoice, "invoice_id" | "invoice_number">;
  /** An icon for a table row, a labelled button for a page header. */
  compact?: boolean;
  testId?: string;
}

/** Download the invoice PDF through the API client (bearer token) and save it. */
export function InvoicePdfButton({ invoice, compact, testId = "invoice-pdf" }: InvoicePdfButtonProps) {
  const [busy, setBusy] = useState(false);
  const fallback = `${invoice.invoice_number ?? `draft-${invoice.invoice_id}`}.pdf`;
  const download = async () => {
    setBusy(true);
    try {
      await downloadInvoicePdf(invoice.invoice_id, fallback);
    } catch (error) {
      notifyError(error, "Could not download the PDF");
    } finally {
      setBusy(false);
    }
  };
  if (compact) {
    const label = `Download ${invoiceLabel(invoice)} as PDF`;
    return (
      <Tooltip label="Download PDF">
        <ActionIcon
          variant="subtle"
          aria-label={label}
          loading={busy}
          onClick={(event) => {
            event.stopPropagation();
            void download();
          }}
          data-testid={testId}
        >
          <IconDownload size={16} />
        </ActionIcon>
      </Tooltip>
    );
  }
  return (
    <Button
      variant="default"
      leftSection={<IconDownload size={16} />}
      loading={busy}
      onClick={() => void download()}
      data-testid={testId}
    >
      Download PDF
    </Button>
  );
}
