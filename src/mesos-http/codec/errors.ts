/** A request body the master refuses, with the HTTP status and text the real master gives. */
export class CallRejected extends Error {
  override readonly name = 'CallRejected';
  readonly status: 400 | 406 | 415;
  constructor(status: 400 | 406 | 415, message: string) {
    super(message);
    this.status = status;
  }
}
