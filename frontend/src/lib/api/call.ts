import { asProblem, type Problem } from "./problem";

export type Answer<T> = { data?: T; error?: unknown; response: Response };

/**
 * The data of an API answer, or the answer's problem thrown (so TanStack
 * Query and forms see one error shape: the server's problem document).
 */
export async function call<T>(request: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await request;
  } catch {
    throw unreachable();
  }
  if (answer.error !== undefined || !answer.response.ok) {
    throw asProblem(answer.error) ?? unreachable(answer.response.status);
  }
  return answer.data as T;
}

function unreachable(status = 0): Problem {
  return {
    type: "about:blank",
    title: "Unreachable",
    status,
    code: "unreachable",
    detail: "The server could not be reached.",
  };
}
