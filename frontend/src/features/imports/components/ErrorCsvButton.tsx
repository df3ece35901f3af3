import { Button } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useState } from "react";
import { notifyError } from "@/lib/notify";
import { downloadErrorCsv } from "../api";

/** Download the failed rows (as uploaded, plus line, field and error) through the API client (bearer token). */
export function ErrorCsvButton({ importId, testId = "import-job" }: { importId: number; testId?: string }) {
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      await downloadErrorCsv(importId);
    } catch (error) {
      notifyError(error, "Could not download the error file");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button
      variant="default"
      leftSection={<IconDownload size={16} />}
      loading={busy}
      onClick={() => void download()}
      data-testid={`${testId}-download-errors`}
    >
      Download error CSV
    </Button>
  );
}
