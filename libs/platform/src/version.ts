/** The suite's release; every service reports it in `service_info` and its OpenAPI document. */
export const STREAMLINE_VERSION = '0.1.0';
