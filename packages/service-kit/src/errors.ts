import createError, { type FastifyErrorConstructor } from '@fastify/error';

/** The request errors every service answers with its own code prefix (`GW_INVALID_JSON`, …). */
export interface BodyErrors {
  /** 400 `<PREFIX>_INVALID_JSON`: the body does not parse (or is empty) with `content-type: application/json`. */
  InvalidJson: FastifyErrorConstructor<{ code: string; statusCode: 400 }, [string]>;
  /** 415 `<PREFIX>_UNSUPPORTED_MEDIA_TYPE`: any content type but JSON, or none. */
  UnsupportedMediaType: FastifyErrorConstructor<{ code: string; statusCode: 415 }, [string]>;
  /** 400 `<PREFIX>_BODY_NOT_OBJECT`: valid JSON that is an array, a string, a number or null. */
  BodyNotObject: FastifyErrorConstructor<{ code: string; statusCode: 400 }, [string]>;
  /** 413 `<PREFIX>_BODY_TOO_LARGE`. */
  BodyTooLarge: FastifyErrorConstructor<{ code: string; statusCode: 413 }, [number]>;
}

const byPrefix = new Map<string, BodyErrors>();

/** The body errors of `codePrefix`, made once per prefix (each is a class; `instanceof` must hold). */
export function bodyErrors(codePrefix: string): BodyErrors {
  let errors = byPrefix.get(codePrefix);
  if (!errors) {
    errors = {
      InvalidJson: createError(`${codePrefix}_INVALID_JSON`, 'body is not valid JSON: %s', 400),
      UnsupportedMediaType: createError(`${codePrefix}_UNSUPPORTED_MEDIA_TYPE`, 'content-type %s is not supported; send the body as application/json', 415),
      BodyNotObject: createError(`${codePrefix}_BODY_NOT_OBJECT`, 'body must be a JSON object; got %s', 400),
      BodyTooLarge: createError(`${codePrefix}_BODY_TOO_LARGE`, 'body is larger than the limit of %d bytes', 413),
    };
    byPrefix.set(codePrefix, errors);
  }
  return errors;
}
