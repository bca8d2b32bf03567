/** An error a client caused: answered with its status and `{"code":…,"message":…}`. */
export class ClientError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

export const notFound = (what: string) => new ClientError(404, `${what} not found`);
export const badRequest = (message: string) => new ClientError(400, message);

/** The body of every error answer, Charmander's shape. */
export function errorBody(code: number, message: string): { code: number; message: string } {
  return { code, message };
}
