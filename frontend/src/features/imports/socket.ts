/**
 * An import's live progress over Socket.IO (namespace /imports, `useRoomSocket` in
 * src/lib/socket.ts): join the room `import:<id>` on every (re)connect (the server then sends
 * the job's current state) and merge each `import.progress` into the cached import. While the
 * socket is not live and the import is queued or running, it is polled every 2 s instead. When
 * it finishes, it is read once more (its row errors and `finished_at`, which the message lacks)
 * and the list with it.
 */
import { useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useRoomSocket } from "@/lib/socket";
import { applyProgress, importKeys, isFinished, useImport, type ImportDetail, type ImportProgress } from "./api";

export const NAMESPACE = "/imports";
export const PROGRESS_EVENT = "import.progress";
export const importRoom = (importId: number) => `import:${importId}`;
/** How often the fallback polls while the socket is not live (ms). */
export const POLL_INTERVAL = 2000;

export interface LiveImport {
  /** The import's query (loading and error states included). */
  query: UseQueryResult<ImportDetail>;
  /** Joined to the import's room: updates arrive as they happen (else it is polled). */
  live: boolean;
}

/** Keep one import's cached state current (socket, else polling) until it is done or failed. */
export function useLiveImport(importId: number): LiveImport {
  const queryClient = useQueryClient();
  const live = useRoomSocket<ImportProgress>(NAMESPACE, importRoom(importId), PROGRESS_EVENT, (progress) => {
    if (progress.import_id !== importId) return;
    // Before the import has loaded, the message cannot be merged, and the read in flight may
    // be older than it: read the import again.
    if (!applyProgress(queryClient, progress)) {
      const queryKey = importKeys.detail(importId);
      void queryClient.cancelQueries({ queryKey }).then(() => queryClient.invalidateQueries({ queryKey }));
    }
  });
  const query = useImport(importId, live ? false : POLL_INTERVAL);
  const status = query.data?.status;

  // An import that has just finished has its row errors and finished_at to show: read it (and
  // the list) again, once.
  const previous = useRef(status);
  useEffect(() => {
    const before = previous.current;
    previous.current = status;
    if (!before || isFinished(before) || !isFinished(status)) return;
    void queryClient.invalidateQueries({ queryKey: importKeys.detail(importId) });
    void queryClient.invalidateQueries({ queryKey: importKeys.lists() });
  }, [status, importId, queryClient]);

  return { query, live };
}
