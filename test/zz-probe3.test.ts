import http2 from 'node:http2';
import net from 'node:net';
import { it } from 'vitest';
import { startTestService } from './support/rpc-service.ts';
function h2(url: string, headers: Record<string, string>, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const session = http2.connect(url);
    session.on('error', () => {});
    const st = session.request({ ':method': 'POST', ...headers });
    let out = ''; let h = {};
    const t = setTimeout(() => { out += ' TIMEOUT'; st.close(http2.constants.NGHTTP2_CANCEL); }, 2000);
    st.on('response', (hh) => (h = hh));
    st.on('trailers', (t) => (out += JSON.stringify(t)));
    st.on('data', (d) => (out += d.toString('latin1')));
    st.on('error', (e) => (out += ' ERR ' + e.message));
    st.on('close', () => { clearTimeout(t); session.close(); resolve(JSON.stringify(h) + out + ' rst=' + st.rstCode); });
    st.end(body);
  });
}
function h1(port: number, raw: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    const t = setTimeout(() => { out += ' TIMEOUT'; s.destroy(); }, 2000);
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => { clearTimeout(t); resolve(out); });
    s.write(raw);
  });
}
it('probe', async () => {
  const svc = await startTestService();
  const tok = await svc.mint('alice');
  const body = Buffer.from('800000002e0a09f096a5836fcc82cc8110fcffffffffffffffff011a13f09f8cbaea9286f091829bf09182baea8f962a209202', 'hex');
  console.log('### grpc+json', await h2(svc.url, { ':path': '/video.v1.VideoService/ListVideos', 'content-type': 'application/grpc+json', authorization: `Bearer ${tok}` }, body));
  console.log('### grpc+json watch', await h2(svc.url, { ':path': '/grpc.health.v1.Health/List', 'content-type': 'application/grpc+json' }, body));
  const head = `POST /video.v1.VideoService/ListVideos HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/grpc-web+json\r\ncontent-length: ${body.length}\r\n\r\n`;
  console.log('### grpc-web+json', (await h1(svc.port, Buffer.concat([Buffer.from(head), body]))).replace(/\r\n/g, ' | '));
  const inner = body.subarray(5);
  const head2 = `POST /video.v1.VideoService/ListVideos HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${inner.length}\r\n\r\n`;
  console.log('### connect json', (await h1(svc.port, Buffer.concat([Buffer.from(head2), inner]))).replace(/\r\n/g, ' | '));
  console.log(JSON.stringify(svc.logs.slice(-4).map((l) => [l.level, l.code, l.msg])));
  await svc.stop();
});
