/** Every error answer of every service: fastify's own error shape, with the service's code. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}
