import request from 'supertest';
import { TEST_ADMIN_KEY } from './test-app';

/** A supertest agent for the management API with the test admin key. */
export function adminApi(baseUrl: string) {
  const auth = (test: request.Test) => test.set('authorization', `Bearer ${TEST_ADMIN_KEY}`);
  const agent = request(baseUrl);
  return {
    get: (path: string) => auth(agent.get(`/api/v1${path}`)),
    post: (path: string, body?: object) => auth(agent.post(`/api/v1${path}`)).send(body ?? {}),
    patch: (path: string, body: object) => auth(agent.patch(`/api/v1${path}`)).send(body),
    delete: (path: string) => auth(agent.delete(`/api/v1${path}`)),
  };
}
