import { ActionIcon, Button, Tooltip } from "@mantine/core";
import { IconReceipt } from "@tabler/icons-react";
import { useState } from "react";
import { notifyError } from "@/lib/notify";
import { downloadReceipt, type Payment } from "../api";

interface ReceiptButtonProps {
  payment: Pick<Payment, "payment_id" | "receipt_number">;
  /** An icon for a table row, a labelled button elsewhere. */
  compact?: boolean;
  testId?: string;
}

/** Download the payment's receipt PDF through the API client (bearer token) and save it. */
export function ReceiptButton({ payment, compact, testId = "payment-receipt" }: ReceiptButtonProps) {
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      await downloadReceipt(payment.payment_id, `${payment.receipt_number || `payment-${payment.payment_id}`}.pdf`);
    } catch (error) {
      notifyError(error, "Could not download the receipt");
    } finally {
      setBusy(false);
    }
  };
  if (compact) {
    return (
      <Tooltip label="Download receipt">
        <ActionIcon
          variant="subtle"
          aria-label={`Download receipt ${payment.receipt_number}`}
          loading={busy}
          onClick={() => void download()}
          data-testid={testId}
        >
          <IconReceipt size={16} />
        </ActionIcon>
      </Tooltip>
    );
  }
  return (
    <Button
      variant="default"
      leftSection={<IconReceipt size={16} />}
      loading={busy}
      onClick={() => void download()}
      data-testid={testId}
    >
      Download receipt
    </Button>
  );
}
