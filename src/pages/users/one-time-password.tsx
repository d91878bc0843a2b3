import { useEffect, useId, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { databaseQueries } from '@/api/databases';
import { endpointQueries } from '@/api/endpoints';
import { Button } from '@/components/ui/button';
import { DialogDescription, DialogFooter, DialogTitle } from '@/components/ui/dialog';
import { buildEnvFile } from '@/lib/env-file';

interface OneTimePasswordProps {
  projectId: string;
  branchId: string;
  branchName: string;
  roleName: string;
  password: string;
  title: string;
  onDone: () => void;
}

type CopyState = 'idle' | 'copied' | 'refused';

/**
 * The body of the one-time password dialog. The password arrives as a prop from the
 * mutation result and lives nowhere else: closing unmounts this and resets the mutation.
 */
export function OneTimePassword({
  projectId,
  branchId,
  branchName,
  roleName,
  password,
  title,
  onDone,
}: OneTimePasswordProps) {
  const id = useId();
  const [shown, setShown] = useState(false);
  const [copy, setCopy] = useState<CopyState>('idle');
  const fallbackRef = useRef<HTMLInputElement>(null);
  const copyRef = useRef<HTMLButtonElement>(null);
  // After Create the form that held focus is gone: start on the likeliest next step.
  useEffect(() => copyRef.current?.focus(), []);
  const endpoints = useQuery(endpointQueries.listForBranch(projectId, branchId));
  const databases = useQuery(databaseQueries.list(projectId, branchId));

  const endpoint = endpoints.data?.find((e) => e.type === 'read_write');
  const dbs = databases.data ?? [];
  const database =
    dbs.find((db) => db.owner_name === roleName) ??
    dbs.find((db) => db.name === 'neondb') ??
    dbs[0];

  const copyPassword = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(password);
      setCopy('copied');
    } catch {
      // Browsers refuse without permission or a secure context: offer select-to-copy.
      setCopy('refused');
      requestAnimationFrame(() => fallbackRef.current?.select());
    }
  };

  const downloadEnv = () => {
    if (!endpoint || !database) return;
    const text = buildEnvFile({
      host: endpoint.host,
      database: database.name,
      user: roleName,
      password,
    });
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    // Browsers strip a leading dot from download names (".env" arrives as "env.txt"), so
    // the file is named after the user; it is still a .env file.
    link.download = `${roleName.replace(/[^\w-]+/g, '_')}.env`;
    link.click();
    URL.revokeObjectURL(url);
  };

  let envNote: string | null = null;
  if (endpoints.error || databases.error)
    envNote = 'Connection details could not be loaded, so the .env file is unavailable.';
  else if (endpoints.data && !endpoint)
    envNote = `Branch ${branchName} has no read-write compute, so there is no host for a .env file.`;
  else if (databases.data && !database)
    envNote = `Branch ${branchName} has no database to put in a .env file.`;
  const envReady = Boolean(endpoint && database);

  return (
    <>
      <DialogTitle>{title}</DialogTitle>
      <DialogDescription>
        Copy the password of <strong>{roleName}</strong> or download it as a .env file now.{' '}
        <strong>You cannot see it again after you close this dialog.</strong>
      </DialogDescription>

      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <div className="input-group">
          <input
            id={`${id}-password`}
            className="input mono"
            type={shown ? 'text' : 'password'}
            value={password}
            readOnly
            autoComplete="off"
            spellCheck={false}
          />
          <Button aria-pressed={shown} onClick={() => setShown((s) => !s)}>
            {shown ? 'Hide password' : 'Show password'}
          </Button>
        </div>
      </div>

      {copy === 'refused' ? (
        <div className="field">
          <label htmlFor={`${id}-fallback`}>
            Your browser blocked copying. Select the password and copy it yourself:
          </label>
          <input
            id={`${id}-fallback`}
            ref={fallbackRef}
            className="input mono"
            type="text"
            value={password}
            readOnly
            onFocus={(event) => event.currentTarget.select()}
          />
        </div>
      ) : null}
      <p className="small" role="status">
        {copy === 'copied' ? 'Copied the password to the clipboard.' : ''}
      </p>
      {envNote ? <p className="muted small">{envNote}</p> : null}

      <DialogFooter>
        <Button ref={copyRef} onClick={() => void copyPassword()}>
          {copy === 'copied' ? 'Copied' : 'Copy'}
        </Button>
        <Button onClick={downloadEnv} disabled={!envReady}>
          Download .env
        </Button>
        <Button variant="primary" onClick={onDone}>
          Close
        </Button>
      </DialogFooter>
    </>
  );
}
