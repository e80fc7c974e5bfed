import { useQueryClient, type QueryKey } from "@tanstack/react-query";

import { call, type Answer } from "./call";

/**
 * `call`, then refresh the query the request changed (the list after a
 * create or a delete), so every screen shows the server's state afterwards.
 */
export function useCallAndRefresh(queryKey: QueryKey) {
  const queryClient = useQueryClient();
  return async <T>(request: Promise<Answer<T>>): Promise<T> => {
    const data = await call(request);
    await queryClient.invalidateQueries({ queryKey });
    return data;
  };
}
